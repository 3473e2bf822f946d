/**
 * Choosing one process of several whose lines are interleaved (`[default0]:`, `[default1]:` …): the console reader
 * reads the lowest rank (or the first pid seen) and untagged lines as the run, and says so in a note.
 */

/** A process tag as the reader numbers them: what it is (`[default0]:`) and its rank (−1: a pid, no rank). */
export interface SeenProcess {
  key: string;
  label: string;
  rank: number;
}

/** Each record's process tag, an index into the seen processes (−1: its line had none). */
export interface RecordTags {
  readonly length: number;
  get(i: number): number;
}

/**
 * When the records come from several processes, the indices of the records of one: the lowest rank (or the first pid
 * seen) and untagged lines, with a note saying so; `keep` null when there is one process or none.
 */
export function oneProcess(recTag: RecordTags, tags: readonly SeenProcess[]): { keep: Int32Array | null; note: string | null } {
  const n = recTag.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const t = recTag.get(i);
    if (t >= 0) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (counts.size < 2) return { keep: null, note: null };
  const ids = [...counts.keys()];
  const ranked = ids.filter((t) => tags[t]!.rank >= 0).sort((a, b) => tags[a]!.rank - tags[b]!.rank);
  const chosen = ranked.length ? ranked[0]! : Math.min(...ids);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = recTag.get(i);
    if (t === chosen || t < 0) keep.push(i);
  }
  const list = ids
    .sort((a, b) => a - b)
    .slice(0, 8)
    .map((t) => `${tags[t]!.label} ${counts.get(t)}`)
    .join(', ');
  const who = tags[chosen]!;
  const note =
    `lines of ${counts.size} processes interleaved (records per tag: ${list}${counts.size > 8 ? ' …' : ''}): ` +
    `read ${who.label}'s (${who.rank >= 0 ? `rank ${who.rank}` : 'the first process seen'}) as the run; the other processes' lines are not read`;
  return { keep: Int32Array.from(keep), note };
}
