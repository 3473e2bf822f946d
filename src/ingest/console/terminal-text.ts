/**
 * What a person saw on their terminal, from the characters the program wrote to it. Console logs are captured from
 * pipes, `nohup`, `tee`, pastes in chat: progress bars redraw themselves with `\r` (tqdm, Lightning, transformers) or
 * runs of `\b` (Keras), colour with ANSI escapes, move the cursor up to redraw nested bars, and Windows adds `\r\n`.
 * A reader that takes every redraw as a line reads the same half-finished bar a thousand times; one that takes only
 * the text after the last `\r` loses a log line printed between two bars. So each physical line is split into its
 * redraws, and of consecutive redraws of the same bar only the last is kept (the bar's final state); redraws of
 * different things (a `[Train]` bar, then a `[Val]` bar, then a dict print) each keep their last state.
 *
 * Incremental: `push` chunks as they arrive (a pipe, a growing file), take the finished lines; `end` flushes the last.
 */

import { positionStates } from './bar-positions.ts';

/** Receives each cleaned line and the 1-based physical line it came from. */
export type LineSink = (text: string, line: number) => void;

/** One line as the reader sees it: cleaned text and the 1-based physical line it came from. */
export interface ConsoleLine {
  text: string;
  line: number;
}

/** CSI sequences (colours, erase, cursor moves), OSC sequences (titles, hyperlinks), and two-character escapes. */
// Each alternative is a bounded run of disjoint character classes: no backtracking blow-up on a long line of ESCs.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
/** CSI finals that move the cursor to another line: what follows is drawn on a different line. */
const LINE_MOVES = new Set(['A', 'B', 'E', 'F', 'H', 'f']);
/** Characters that need the slow path: carriage returns, backspaces, escapes, NULs and other controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x9b]/;
/** Markdown code-fence lines around a pasted log. */
const FENCE = /^\s*(```|~~~)[\w+-]*\s*$/;
/** A line longer than this is cut: a console record is never this long, and the cut keeps the work per line bounded. */
export const MAX_CONSOLE_LINE = 64 * 1024;
/** Ends a bar's state kept besides its last (bar-positions.ts), when the reader asked for them. */
export const PARTIAL_STATE = '\u0002';

export interface TerminalOptions {
  /** Also emit, marked with PARTIAL_STATE, a bar's state at each counter position before its last (bar-positions.ts). */
  barPositions?: boolean;
}

/**
 * Splits text into cleaned lines. Chunks may end anywhere (mid-line, mid-escape); a line is emitted once its `\n`
 * has arrived, or at `end()`.
 */
export class TerminalText {
  private pending = '';
  private lineNo = 0;

  constructor(private readonly options: TerminalOptions = {}) {}

  /** Adds a chunk; hands each line it completes to `out` (its text and physical line number). */
  push(chunk: string, out: LineSink): void {
    let text = this.pending + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.lineNo++;
      emitPhysicalLine(text.slice(start, nl), this.lineNo, out, this.options);
      start = nl + 1;
    }
    text = text.slice(start);
    // A line that never ends (a bar redrawn with \r for hours): keep only its tail, the redraws that matter.
    if (text.length > 4 * MAX_CONSOLE_LINE) {
      const cut = text.lastIndexOf('\r', text.length - MAX_CONSOLE_LINE);
      text = cut > 0 ? text.slice(cut) : text.slice(text.length - MAX_CONSOLE_LINE);
    }
    this.pending = text;
  }

  /** Flushes the unterminated last line, if any. */
  end(out: LineSink): void {
    if (this.pending !== '') {
      this.lineNo++;
      emitPhysicalLine(this.pending, this.lineNo, out, this.options);
      this.pending = '';
    }
  }

  /** Physical lines completed so far. */
  get lines(): number {
    return this.lineNo;
  }
}

/** The cleaned lines of a whole text. */
export function terminalLines(text: string): ConsoleLine[] {
  const t = new TerminalText();
  const out: ConsoleLine[] = [];
  const sink: LineSink = (line, n) => out.push({ text: line, line: n });
  t.push(text, sink);
  t.end(sink);
  return out;
}

/** One physical line (no `\n`) → the lines a reader should see, in order. */
export function screenStates(raw: string, options: TerminalOptions = {}): string[] {
  // Fast path: a plain line (most of a log).
  if (!CONTROL.test(raw)) {
    const t = raw.trimEnd();
    return t === '' || t.trim() === '' ? [] : [t];
  }
  let s = raw;
  if (s.length > 4 * MAX_CONSOLE_LINE) s = s.slice(s.length - 4 * MAX_CONSOLE_LINE);
  if (s.includes('\x1b') || s.includes('\x9b')) {
    // Cursor moves to another line split the text; every other escape is dropped.
    s = s.replace(ESCAPES, (esc) => (LINE_MOVES.has(esc[esc.length - 1]!) && esc[1] === '[' ? '\n' : ''));
  }
  const out: string[] = [];
  for (const part of s.split('\n')) {
    let p = part;
    // Keras erases a bar with a run of backspaces before redrawing it: the same as returning to the line start.
    if (p.includes('\b')) p = p.replace(/\x08+/g, '\r');
    if (p.includes('\0')) p = p.replace(/\0+/g, '');
    if (p.includes('\r')) {
      keepLastStates(p.split('\r'), out, options.barPositions === true);
    } else if (p.trim() !== '') {
      out.push(tidy(p));
    }
  }
  return out;
}

function emitPhysicalLine(raw: string, lineNo: number, out: LineSink, options: TerminalOptions): void {
  if (!CONTROL.test(raw)) {
    // Fast path: a plain line.
    emitState(raw.trimEnd(), lineNo, out);
    return;
  }
  for (const text of screenStates(raw, options)) emitState(text, lineNo, out);
}

function emitState(text: string, lineNo: number, out: LineSink): void {
  if (text === '' || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
  if ((text.includes('`') || text.includes('~')) && FENCE.test(text)) return;
  out(text.length > MAX_CONSOLE_LINE ? text.slice(0, MAX_CONSOLE_LINE) : text, lineNo);
}

/**
 * Of consecutive redraws of the same bar, the last; redraws of something else each keep their own last state. With
 * `positions`, a bar's states at its earlier counter positions go before its last, marked partial (bar-positions.ts).
 */
function keepLastStates(segments: string[], out: string[], positions: boolean): void {
  let run: string[] = [];
  let prevId = '';
  const flush = () => {
    if (run.length === 0) return;
    if (positions && run.length > 2) for (const s of positionStates(run)) out.push(tidy(s) + PARTIAL_STATE);
    out.push(tidy(run[run.length - 1]!));
    run = [];
  };
  for (const seg of segments) {
    if (seg.trim() === '') continue;
    const id = barIdentity(seg);
    if (run.length > 0 && id !== prevId) flush();
    if (positions) run.push(seg);
    else run = [seg];
    prevId = id;
  }
  flush();
}

/**
 * What a redraw is a state of: its text before the progress part (`Epoch 3 [Val]:` of `Epoch 3 [Val]:  40%|████`),
 * digits masked. Keras bars (` 12/100 [===>…]`) and bare tqdm bars (` 40%|███`) have an empty identity.
 */
export function barIdentity(seg: string): string {
  // Found on the text with digits masked; the identity keeps its digits: `Epoch 0:` and `Epoch 1:` are two bars.
  const masked = seg.replace(/\d/g, '#');
  const m = /#+%|#+\/#|\[[=>.#\- ]|\|[█▏▎▍▌▋▊▉#━]|━/.exec(masked);
  return m ? seg.slice(0, m.index).replace(/[\d\s]+$/, '').trim() : masked.trim();
}

/** Control characters other than tab become spaces; trailing blanks go. */
function tidy(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = /[\x00-\x08\x0b-\x1f\x7f]/.test(s) ? s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ') : s;
  return t.trimEnd();
}
