/** "1 point", "1,200 points", "3 examples": a count with its noun, for the data checks, the checklist and Discord alike. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
