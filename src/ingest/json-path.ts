/** `$.a.b` / `$["odd key"]`: the JSON path of a member, for error messages that point into a document. */
export function jsonPathKey(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
