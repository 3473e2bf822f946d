/**
 * Whole histories printed inside console output: `print(history.history)` after Keras' warnings, `pprint` of it
 * wrapped over many lines, `print(trainer.state.log_history)` after a Trainer run, a `defaultdict(list)` a loop
 * filled. Read line by line, such a literal is a line of a hundred unnamed numbers (noise to the template reader) or
 * a hundred lines of one number each; read whole, it is the run's history, name by name.
 *
 * A line that starts a literal of lists or dicts (`{'loss': [`, `[{'`, `defaultdict(`, after an optional
 * `Out[3]:` or a short `history:` prefix) is held, with the lines after it until its brackets close; the joined text
 * is parsed as a Python literal. When it holds a history (`literal-history.ts` decides), it is kept as a block; when
 * not (a config dict, a list of file names, a syntax error), its lines go on to the template reader as if never held.
 * A dict of scalars on one line (the Trainer's `{'loss': 0.69, …, 'epoch': 0.5}`) is a record, not a block: such
 * lines are never held.
 */
import { IngestError } from '../ingest-error.ts';
import type { LiteralShape } from '../literal-history.ts';
import { isHistoryShape, isMeasureName, literalShape } from '../literal-history.ts';
import { joinLiteralLines, parsePythonLiteralAt } from '../python-literal.ts';

/** Where a history literal can start on a line, and the prefix before it. */
const START = /^(?:\s*Out\[\d*\]:\s*|[^{[(]{0,80}?[:=]\s*|\s*)(?=\{\s*(?:'[^'\n]{1,120}'|"[^"\n]{1,120}"|\d+)\s*:\s*(?:\[|\(|\{|OrderedDict\(|defaultdict\(|(?:np\.|numpy\.)?array\()|\[\s*(?:\{|OrderedDict\()|(?:collections\.)?(?:defaultdict|OrderedDict)\()/;
/** Most lines and characters one literal may span before it is given up (its lines then go to the template reader). */
const MAX_LINES = 20_000;
const MAX_CHARS = 16 * 1024 * 1024;

/** Words a literal's element can start with. */
const ELEMENT_WORD = /^(?:True|False|None|nan|inf|np\.|numpy\.|torch\.|tensor|array|float|Decimal|OrderedDict|defaultdict|dict)/;

/**
 * A line that cannot continue the literal held so far: after an element's `,` or an opening bracket comes a key, a
 * value or blanks (pprint indents), not a word at the line's start (`Epoch 3/20 …`). A held literal that never closes
 * would otherwise hold back the lines after it (a live `watch` would see them late).
 */
function interrupts(previous: string, next: string): boolean {
  if (!/^[A-Za-z]/.test(next) || ELEMENT_WORD.test(next)) return false;
  return /[,[{(]\s*$/.test(previous);
}

export interface LiteralBlock {
  value: unknown;
  shape: LiteralShape;
  /** The physical lines it spans. */
  firstLine: number;
  lastLine: number;
}

/** A line as the reader passes it on: its text, physical line and process tag (−1: none). */
export type TaggedLineSink = (text: string, line: number, tag: number) => void;

export class LiteralBlocks {
  readonly blocks: LiteralBlock[] = [];
  private held: Array<{ text: string; line: number; tag: number }> = [];
  private heldChars = 0;
  /** Bracket depth and open quote at the end of the held lines. */
  private depth = 0;
  private quote = '';
  private prefixLength = 0;

  constructor(private readonly next: TaggedLineSink) {}

  /** Takes a line: holds it (a literal starts or goes on) or passes it on. */
  line(text: string, line: number, tag: number): void {
    if (this.held.length > 0 && interrupts(this.held[this.held.length - 1]!.text, text)) {
      // The literal was cut off and the script printed on: what was held goes on as lines, and so does this one.
      this.giveUp();
    }
    if (this.held.length > 0) {
      this.held.push({ text, line, tag });
      this.heldChars += text.length;
      this.scan(text);
      if (this.depth <= 0 && !this.quote) this.close();
      else if (this.held.length > MAX_LINES || this.heldChars > MAX_CHARS) this.release();
      return;
    }
    // Cheap test first: most lines have no `{` or `[` or `(` at all.
    if (!(text.includes('{') || text.includes('[') || text.includes('dict('))) {
      this.next(text, line, tag);
      return;
    }
    const m = START.exec(text);
    if (!m) {
      this.next(text, line, tag);
      return;
    }
    this.prefixLength = m[0].length;
    this.held = [{ text, line, tag }];
    this.heldChars = text.length;
    this.depth = 0;
    this.quote = '';
    this.scan(text.slice(this.prefixLength));
    if (this.depth <= 0 && !this.quote) this.close();
  }

  /** The text ended: an unclosed literal's lines go on as lines. */
  end(): void {
    if (this.held.length > 0) this.giveUp();
  }

  /**
   * A literal that never closed (the paste was cut off at the end, or mid-print with the script printing on): its
   * parse error says where it stays open, for the text's error when nothing else is read; its lines go on as lines.
   */
  private giveUp(): void {
    try {
      parsePythonLiteralAt(joinLiteralLines(this.held.map((h, k) => (k === 0 ? h.text.slice(this.prefixLength) : h.text))), 0, 'literal', { firstLine: this.held[0]!.line });
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      this.noteFailure(err);
    }
    this.release();
  }

  /**
   * The first literal that started like a history (a measure's name, then a list) and did not parse: its line and
   * what was wrong, for the error of a text in which nothing else was read.
   */
  failure: { line: number; reason: string } | null = null;

  private noteFailure(err: IngestError): void {
    const first = this.held[0]!.text.slice(this.prefixLength);
    const key = /^\s*(?:[\w.]+\()?\s*[{[]\s*\(?\s*['"]([^'"]{1,120})['"]/.exec(first)?.[1];
    if (this.failure === null && key !== undefined && isMeasureName(key) && err.line !== undefined) this.failure = { line: err.line, reason: err.reason };
  }

  /** Follows brackets and quotes through one line of the literal. */
  private scan(text: string): void {
    let q = this.quote;
    let d = this.depth;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (q) {
        if (c === '\\') i++;
        else if (c === q) q = '';
        continue;
      }
      if (c === "'" || c === '"') q = c;
      else if (c === '{' || c === '[' || c === '(') d++;
      else if (c === '}' || c === ']' || c === ')') d--;
    }
    this.quote = q;
    this.depth = d;
  }

  private close(): void {
    const held = this.held;
    const lines = held.map((h, k) => (k === 0 ? h.text.slice(this.prefixLength) : h.text));
    const text = joinLiteralLines(lines);
    let block: LiteralBlock | null = null;
    try {
      const { value, end } = parsePythonLiteralAt(text, 0, 'literal', { firstLine: held[0]!.line });
      // Only blanks or a little trailing text (`  # comment`) may follow the literal on its last line.
      if (text.slice(end).trim().length <= 40) {
        const shape = literalShape(value);
        if (isHistoryShape(shape)) block = { value, shape, firstLine: held[0]!.line, lastLine: held[held.length - 1]!.line };
      }
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      this.noteFailure(err);
      block = null;
    }
    if (block) {
      this.blocks.push(block);
      this.reset();
    } else {
      this.release();
    }
  }

  /** Not a history: the held lines go on, in order. */
  private release(): void {
    const held = this.held;
    this.reset();
    for (const h of held) this.next(h.text, h.line, h.tag);
  }

  private reset(): void {
    this.held = [];
    this.heldChars = 0;
    this.depth = 0;
    this.quote = '';
    this.prefixLength = 0;
  }
}
