/**
 * Where in the code a log line was printed: `solver.cpp:222` (glog), `train.py:357` (a logging format, Rich's log
 * handler), loguru's `{name}:{function}:{line}` (`__main__:train_epoch:45 - Epoch 1 …`). The line number is no
 * measurement, and a function named `epoch` or `train_epoch` is no epoch counter: the template miner masks the whole
 * location (`§`), as it masks a date.
 */

/** `solver.cpp:222`, `train.py:357`. */
const SOURCE_EXT = /\.(?:py|pyx|cc|cpp|cxx|c|h|hpp|cu|js|ts|java|go|rs|ipynb):\d+/g;
/**
 * loguru's default `module:function:line`, before its ` - ` (or a `|`, a `]`, the line's end): two names and a line
 * number joined by colons. `<module>` is the function of top-level code.
 */
const FUNCTION_LINE = /(?<![\w.:<>])[A-Za-z_][\w.]*:(?:<module>|<lambda>|<listcomp>|[A-Za-z_]\w*):\d+(?=\s+-\s|\s*[|\]]|\s*$)/g;
/** Cheap test for either: most lines have neither. */
const HINT = /\.(?:py|pyx|cc|cpp|cxx|c|h|hpp|cu|js|ts|java|go|rs|ipynb):\d|[\w>]:\d+(?:\s+-\s|\s*[|\]]|\s*$)/;

/** Whether a line may hold a code location (a fast over-approximation: `codeLocationSpans` decides). */
export function mayHoldCodeLocation(text: string): boolean {
  return HINT.test(text);
}

/**
 * The spans of the code locations in a line, in order. `path/file.py:123` is found from its `.py:123` end, then back
 * over the path's characters by hand: a regex starting with the path (`[\w./-]*\.py`) would rescan a long run of word
 * characters from each of them.
 */
export function codeLocationSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  SOURCE_EXT.lastIndex = 0;
  let floor = 0;
  for (let m = SOURCE_EXT.exec(text); m !== null; m = SOURCE_EXT.exec(text)) {
    let start = m.index;
    while (start > floor && /[\w./\\-]/.test(text[start - 1]!)) start--;
    spans.push([start, m.index + m[0].length]);
    floor = m.index + m[0].length;
  }
  if (!text.includes(':')) return spans;
  FUNCTION_LINE.lastIndex = 0;
  const more: Array<[number, number]> = [];
  for (let m = FUNCTION_LINE.exec(text); m !== null; m = FUNCTION_LINE.exec(text)) {
    const span: [number, number] = [m.index, m.index + m[0].length];
    if (!spans.some(([a, b]) => span[0] < b && a < span[1])) more.push(span);
  }
  return more.length ? [...spans, ...more].sort((a, b) => a[0] - b[0]) : spans;
}

/** The line with each code location replaced by `§`. */
export function maskCodeLocations(text: string): string {
  let out = '';
  let last = 0;
  for (const [a, b] of codeLocationSpans(text)) {
    out += text.slice(last, a) + '§';
    last = b;
  }
  return out + text.slice(last);
}
