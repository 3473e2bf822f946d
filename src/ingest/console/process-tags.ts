/**
 * Tags that launchers put before each line of a process's output when several processes share one console:
 * `torchrun --tee 3`'s `[default0]:`, torch.distributed's `[rank0]:`, a script's own `[rank 1]` or `rank 0:`, Ray's
 * `(RayTrainWorker pid=1234, ip=10.0.0.1)`, `mpirun --tag-output`'s `[1,0]<stdout>:`. The tag says whose line it is;
 * it is taken off before the line is read (so every process's lines share templates) and kept beside the line, so
 * that the lines of several processes interleaved in one paste are not read as one run whose values jump between
 * them. The reader then reads one process (rank 0, or the first pid), and says so.
 */

export interface ProcessTag {
  /** The tag as printed, trimmed (`[default0]:`), for notes. */
  label: string;
  /** Identity of the process: `rank 0`, `pid 1234`. */
  key: string;
  /** Order in which processes are preferred: the rank; a pid has none (−1: first seen wins). */
  rank: number;
  /** Characters the tag and the blank after it take at the start of the line. */
  length: number;
}

const TAG = new RegExp(
  [
    // [default0]:  [rank0]:  [rank 1]  [RANK 0/4]  [worker3]  [gpu 0]  [local_rank0]
    String.raw`\[\s*(?<word>default|rank|local_rank|worker|gpu|proc|process)\s*[:#=]?\s*(?<n1>\d{1,5})(?:\s*\/\s*\d{1,5})?\s*\]:?`,
    // (pid=1234)  (RayTrainWorker pid=1234, ip=10.0.0.1)
    String.raw`\(\s*(?:[A-Za-z_][\w.:]*\s+)?pid=(?<pid>\d{1,10})(?:,\s*ip=[\w.:]+)?\s*\)`,
    // rank 0:  Rank 1/4:  rank0:
    String.raw`(?<word2>rank|local_rank)\s*(?<n2>\d{1,5})(?:\s*\/\s*\d{1,5})?\s*:`,
    // [1,0]<stdout>:
    String.raw`\[\d{1,5},(?<n3>\d{1,5})\]<std(?:out|err)>:`,
  ]
    .map((a) => `(?:${a})`)
    .join('|'),
  'iy',
);
const LEADING = /^[ \t]*/;

/** The process tag at the start of a line, or null. */
export function processTag(text: string): ProcessTag | null {
  const c = text.charCodeAt(LEADING.exec(text)![0].length);
  // `[`, `(`, `r`/`R`, `l`: the only characters a tag starts with.
  if (c !== 91 && c !== 40 && c !== 114 && c !== 82 && c !== 108 && c !== 76) return null;
  TAG.lastIndex = LEADING.exec(text)![0].length;
  const m = TAG.exec(text);
  if (!m) return null;
  const g = m.groups!;
  let end = TAG.lastIndex;
  if (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 9) end++;
  const label = m[0].trim().replace(/:$/, '');
  if (g.pid !== undefined) return { label, key: `pid ${g.pid}`, rank: -1, length: end };
  const n = Number(g.n1 ?? g.n2 ?? g.n3);
  return { label, key: `rank ${n}`, rank: n, length: end };
}

/**
 * Two processes printing to one pipe at once glue their lines (`print` writes the text and its newline apart):
 * `[rank0]: Epoch 0: … val acc 0.428[rank1]: Epoch 0: …`. A line that starts with a tag is cut again wherever a tag
 * of the same form (`[rank<n>]:`) begins, and each piece is a line of its own.
 */
export function splitAtTags(text: string, first: ProcessTag): string[] {
  // The tag as printed on this line, its `:` or `]` included (the label drops the colon): `rank 0:` must not cut
  // "mean rank 12 of 100" later in the line, and a tag that is a word (`rank 0:`) does not start inside another word.
  // (A bracketed one may follow anything: `val acc 0.428[rank1]: …`.)
  const printed = text.slice(0, first.length).trim();
  const form = new RegExp((/^[A-Za-z]/.test(printed) ? '(?<![A-Za-z0-9_])' : '') + printed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '\\d{1,10}'), 'g');
  form.lastIndex = first.length;
  const cuts: number[] = [];
  for (let m = form.exec(text); m !== null; m = form.exec(text)) cuts.push(m.index);
  if (cuts.length === 0) return [text];
  const out: string[] = [];
  let from = 0;
  for (const c of cuts) {
    out.push(text.slice(from, c));
    from = c;
  }
  out.push(text.slice(from));
  return out;
}
