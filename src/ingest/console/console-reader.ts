/**
 * The general reader for console output that no exact reader claims: what a training script printed, captured from a
 * terminal, a pipe or a chat paste. It learns the text's own line templates (`template-miner.ts`), names the numbers
 * of each (`value-names.ts`), keeps the templates that carry metrics, places each record by the counters it finds
 * (`record-positions.ts`), and says in the run's notes which lines it read and which names it inferred, so a wrong
 * guess is visible.
 *
 * Incremental: a `ConsoleReader` takes text as it arrives (`push`) and gives the runs read so far (`runs`), so a paste
 * and a growing stream are read the same way. Memory grows with the records kept (the numbers of metric lines), not
 * with the text: noise lines are only counted.
 */
import type { RunLog, Split } from '../../domain/run.ts';
import { IngestError } from '../ingest-error.ts';
import { isLossLike, normaliseMetricName } from '../metric-names.ts';
import type { FormatParser } from '../parser.ts';
import type { TextSource } from '../decode.ts';
import { runNameFromFileName } from '../run-name-from-file-name.ts';
import { SeriesBuilder } from '../series-builder.ts';
import { planCounters, PositionTracker, type OwnPosition, type PlannedTemplate } from './record-positions.ts';
import { lineShape, slotValue, TemplateMiner, tokenize, type Template } from './template-miner.ts';
import { splitAfterBars } from './glued-prints.ts';
import { LiteralBlocks } from './literal-blocks.ts';
import { totalAsLoss } from './loss-terms.ts';
import { withLiterals } from './literal-merge.ts';
import { oneProcess, type SeenProcess } from './process-selection.ts';
import { processTag, splitAtTags } from './process-tags.ts';
import { barIdentity, PARTIAL_STATE, TerminalText } from './terminal-text.ts';
import { analyseLine, MEASURE_WORDS, type Slot, type TableHeader, type TemplateAnalysis } from './value-names.ts';

/** What the reader keeps of a template: its analysis and the slots it stores per record. */
interface Analysed extends TemplateAnalysis {
  /** Slot indices whose values are stored, in storage order. */
  keep: number[];
  /** slot → position in `keep`, −1 when not stored. */
  at: Int32Array;
  /** Whether lines of this template are stored at all (they carry a metric or a counter). */
  stored: boolean;
}

const CHUNK = 1 << 16;

/** A growable column of numbers in fixed chunks (no copying of everything on growth). */
class NumberColumn {
  private chunks: Float64Array[] = [];
  private n = 0;
  push(v: number): void {
    const c = this.n >>> 16;
    if (c === this.chunks.length) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[c]![this.n & (CHUNK - 1)] = v;
    this.n++;
  }
  get(i: number): number {
    return this.chunks[i >>> 16]![i & (CHUNK - 1)]!;
  }
  get length(): number {
    return this.n;
  }
}

/**
 * A series' points as they are read: a Float64Array grown by doubling from a small start (a run may have a hundred
 * series of a few points, or three of a million), with the pop a purge needs and one exact-size copy at the end.
 */
class PointColumn {
  private a = new Float64Array(16);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }
  pop(): void {
    if (this.length > 0) this.length--;
  }
  last(): number {
    return this.a[this.length - 1]!;
  }
  toArray(): Float64Array {
    return this.a.slice(0, this.length);
  }
}

class IntColumn {
  private chunks: Int32Array[] = [];
  private n = 0;
  push(v: number): void {
    const c = this.n >>> 16;
    if (c === this.chunks.length) this.chunks.push(new Int32Array(CHUNK));
    this.chunks[c]![this.n & (CHUNK - 1)] = v;
    this.n++;
  }
  get(i: number): number {
    return this.chunks[i >>> 16]![i & (CHUNK - 1)]!;
  }
  get length(): number {
    return this.n;
  }
}

const SPLIT_CODE: Record<Split, number> = { train: 1, val: 2, test: 3 };
const CODE_SPLIT: Array<Split | null> = [null, 'train', 'val', 'test'];
/** Record flags (beside the carried split in the low two bits). */
const ROLLED_BACK = 4;
const RESTATED = 8;
/** A bar's state before its last (bar-positions.ts); the bar's number is kept above PARTIAL_SHIFT. */
const PARTIAL = 16;
const PARTIAL_SHIFT = 5;
/** A message saying training went back to an earlier checkpoint: the counter going back next is a rollback. */
const ROLLBACK_CUE = /\b(return(ing|ed)? to the previous|restor(e|ing|ed)\b|revert(ing|ed)?\b|roll(ing|ed)? ?back|reload(ing|ed)? (the )?(best|previous|last))/i;
/** A line that starts with a bare number (not a date or a time). */
const STARTS_WITH_VALUE = /^\s*[-+]?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?%?|nan|inf)(?:[\s,;|]|$)/i;
/** A line cut after `name:` or `name=` (checked from its end by hand: a regex would rescan a long line from every letter). */
function endsWithName(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  const c = text.charCodeAt(i);
  if (c !== 58 && c !== 61) return false;
  i--;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  return i >= 0 && /[A-Za-z0-9_]/.test(text[i]!);
}

/** `Stopping. Best iteration:`: the record printed next restates an earlier one. */
function restatesNext(text: string): boolean {
  return endsWithName(text) && /\bbest\b/i.test(text.slice(-200));
}

/**
 * Reads console output incrementally. `push(text)` as it arrives, `end()` when it is complete, `runs(fileName)` at
 * any time for the runs read so far (an unfinished last line is not read until `end`).
 */
export class ConsoleReader {
  private readonly terminal = new TerminalText({ barPositions: true });
  /** Bars whose states before their last were seen (by their identity, digits masked), and how often each was drawn to its last state. */
  private readonly partialBars = new Map<string, number>();
  private readonly barFinals: number[] = [];
  /** The bar of the partial state being read, −1 for any other line. */
  private partialBar = -1;
  private readonly miner = new TemplateMiner<Analysed>((example) => prepare(analyseLine(example)));
  private header: TableHeader | null = null;
  /** Row templates read under a table header: keyed by header id and the row's template key (null: not a row). */
  private readonly rowTemplates = new Map<string, Template<Analysed> | null>();
  private readonly rowList: Template<Analysed>[] = [];
  // Records: template (row templates are offset by ROW_BASE), line, flags, offset into values.
  private readonly recTemplate = new IntColumn();
  private readonly recLine = new IntColumn();
  private readonly recFlags = new IntColumn();
  private readonly recOffset = new IntColumn();
  private readonly values = new NumberColumn();
  /** Each record's process tag (an index into `tags`), −1 when its line had none. */
  private readonly recTag = new IntColumn();
  /** Process tags seen (`[default0]:`, `(pid=12)`): by key, their index; in index order, what they are. */
  private readonly tagIds = new Map<string, number>();
  private readonly tags: SeenProcess[] = [];
  /** Whole histories printed as literals (`print(history.history)`), found before the template reader sees lines. */
  private readonly literals = new LiteralBlocks((text, line, tag) => this.unwrap(text, line, tag));
  private readonly onLine = (text: string, line: number): void => {
    if (text.endsWith(PARTIAL_STATE)) {
      // A bar drawn again (one per epoch) is read from its last states: its earlier states are not needed.
      const state = text.slice(0, -1);
      const key = partialBarKey(state);
      let id = this.partialBars.get(key);
      if (id === undefined) {
        id = this.barFinals.length;
        this.partialBars.set(key, id);
        this.barFinals.push(0);
      }
      if (this.barFinals[id]! >= 2) return;
      this.partialBar = id;
      this.onPrint(state, line);
      this.partialBar = -1;
      return;
    }
    if (this.partialBars.size > 0 && (text.includes('it/s') || text.includes('s/it'))) {
      const id = this.partialBars.get(partialBarKey(text));
      if (id !== undefined) this.barFinals[id]!++;
    }
    this.onPrint(text, line);
  };

  private readonly onPrint = (text: string, line: number): void => {
    const prints = splitAfterBars(text);
    if (prints.length > 1) {
      for (const p of prints) this.onPrint(p, line);
      return;
    }
    const tag = processTag(text);
    if (!tag) {
      this.literals.line(text, line, -1);
      return;
    }
    const pieces = splitAtTags(text, tag);
    if (pieces.length > 1) {
      for (const piece of pieces) this.onPrint(piece, line);
      return;
    }
    let id = this.tagIds.get(tag.key);
    if (id === undefined) {
      id = this.tags.length;
      this.tagIds.set(tag.key, id);
      this.tags.push({ key: tag.key, label: tag.label, rank: tag.rank });
    }
    this.literals.line(text.slice(tag.length), line, id);
  };
  /** The process tag of the line being read. */
  private tag = -1;
  /** A line that ended on a name and its `:` or `=`, waiting to see whether the next line starts with its value. */
  private held: { text: string; line: number; tag: number } | null = null;
  /** Non-blank lines read, and the one the last record (or split-naming line) was: blank lines do not break a block. */
  private seq = 0;
  private lastRecordSeq = -1;
  private lastTemplate: Template<Analysed> | null = null;
  private lastTrailing: Split | null = null;
  private pendingFlags = 0;
  /** The last state of each progress bar (by its text before the bar): where it was, out of how many. */
  private readonly lastBars = new Map<string, { n: number; total: number }>();

  /** Adds text. */
  push(text: string): void {
    this.terminal.push(text, this.onLine);
  }

  /** The text is complete: reads the unterminated last line. */
  end(): void {
    this.terminal.end(this.onLine);
    this.literals.end();
    if (this.held) {
      const h = this.held;
      this.held = null;
      this.tag = h.tag;
      this.readLine(h.text, h.line);
    }
  }

  /**
   * Joins lines wrapped inside a `name: value` pair: Rich wraps a progress bar's metrics at the terminal's width
   * (`val_loss: 0.680 val_acc:` / `0.531 train_loss_epoch: 0.683`), chat clients wrap long pastes.
   */
  private unwrap(text: string, line: number, tag: number): void {
    if (this.held) {
      const h = this.held;
      this.held = null;
      // (A continuation comes from the same process: interleaved ranks do not finish each other's lines.)
      if (h.tag === tag && STARTS_WITH_VALUE.test(text)) {
        this.unwrap(`${h.text} ${text.trimStart()}`, h.line, tag);
        return;
      }
      this.tag = h.tag;
      this.readLine(h.text, h.line);
    }
    if (endsWithName(text)) {
      this.held = { text, line, tag };
      return;
    }
    this.tag = tag;
    this.readLine(text, line);
  }

  /** Physical lines read so far. */
  get physicalLines(): number {
    return this.terminal.lines;
  }

  private readLine(text: string, line: number): void {
    this.seq++;
    const shape = lineShape(text);
    if (shape.key === '') return;
    let t: Template<Analysed> | null | undefined = this.miner.get(shape.key);
    const prev = this.lastTemplate;
    if (t) t.count++;
    else if (prev && this.seq === this.lastRecordSeq + 1 && shape.key.length > prev.key.length && shape.key.startsWith(prev.key) && shape.slots.length >= prev.analysis.slots.length) {
      // The next print glued on without a line break (`… Valid_other:0.983m_resnet34_e_40…`): the record's own template.
      t = prev;
      t.count++;
    } else t = this.miner.add(shape.key, text, line);
    if (!t) return;
    if (t.analysis.endsTable && shape.slots.length > 0) this.header = null;
    if (shape.slots.length === 0 || !t.analysis.stored) {
      if (shape.slots.length === 0 && t.analysis.contextSplit) {
        // `evaluate:dev`, `Validating…`: a short line naming a split sets it for the value lines right after.
        this.lastTrailing = t.analysis.contextSplit;
        this.lastRecordSeq = this.seq;
        this.lastTemplate = null;
      }
      if (t.analysis.header) this.header = t.analysis.header;
      else if (t.analysis.endsTable) this.header = null;
      else if (text.length < 1000 && ROLLBACK_CUE.test(text)) this.pendingFlags |= ROLLED_BACK;
      else if (restatesNext(text)) this.pendingFlags |= RESTATED;
      if (!t.analysis.header && !(this.header && shape.slots.length >= 2)) return;
    }
    let templateRef = t.id;
    if (this.header && shape.slots.length >= 2 && needsHeader(t.analysis)) {
      const row = this.rowTemplate(shape.key, text, line, this.header);
      if (row) {
        t = row;
        templateRef = ROW_BASE + row.id;
        // Of a per-class table only the first row (`all`) is read: the others are one class each.
        if (this.header.perClass) this.header = null;
      }
    }
    const a = t.analysis;
    if (!a.stored) return;
    // A value line right after a line that ended on a validation/test split continues it
    // (`Train loss: …, Valid loss: …` then `Current_accuracy : 96.1`).
    let carry = 0;
    if (!a.ownSplit && !hasOwnPosition(a) && this.lastTrailing && this.seq === this.lastRecordSeq + 1) carry = SPLIT_CODE[this.lastTrailing];
    this.recTemplate.push(templateRef);
    this.recLine.push(line);
    this.recTag.push(this.tag);
    this.recFlags.push(carry | this.pendingFlags | (this.partialBar >= 0 ? PARTIAL | (this.partialBar << PARTIAL_SHIFT) : 0));
    this.pendingFlags = 0;
    this.recOffset.push(this.values.length);
    const resetTo = this.barReset(a, shape.slots, text);
    for (const s of a.keep) this.values.push(s === resetTo.slot ? resetTo.value : slotValue(shape.slots[s]!));
    this.lastRecordSeq = this.seq;
    this.lastTemplate = templateRef >= ROW_BASE ? null : t;
    // A carried split goes on to the next value line of the block (dev results span several lines).
    this.lastTrailing = carry ? CODE_SPLIT[carry]! : a.trailingSplit;
  }

  /**
   * Lightning resets its bar at the end of an epoch after validation (`Epoch 0: 100%| 8/8 …` then `Epoch 0:   0%| 0/8
   * … val_loss=0.700`): the reset state is the epoch's last, with its validation. Read as n = N, it replaces the
   * epoch's end instead of going back to its start. Other states at 0/N (a new bar not started) are left as they are.
   */
  private barReset(a: Analysed, slots: string[], text: string): { slot: number; value: number } {
    const none = { slot: -1, value: 0 };
    const c = a.slots.findIndex((s) => s.role === 'counter' && s.total >= 0);
    if (c < 0 || !text.includes('%')) return none;
    const n = slotValue(slots[c]!);
    const total = slotValue(slots[a.slots[c]!.total]!);
    const identity = barIdentity(text);
    const last = this.lastBars.get(identity);
    const reset = n === 0 && last !== undefined && last.n === last.total && last.total === total;
    this.lastBars.delete(identity);
    this.lastBars.set(identity, { n: reset ? total : n, total });
    // Only the bars of the last few epochs matter; a long log must not grow this without bound.
    if (this.lastBars.size > 64) this.lastBars.delete(this.lastBars.keys().next().value!);
    return reset ? { slot: c, value: total } : none;
  }

  private rowTemplate(key: string, text: string, line: number, header: TableHeader): Template<Analysed> | null {
    const rowKey = `${header.id}\u0000${key}`;
    let t = this.rowTemplates.get(rowKey);
    if (t === undefined) {
      const a = analyseLine(text, header);
      if (!a.slots.some((s) => s.namedBy === 'header' && s.role !== 'ignore')) {
        this.rowTemplates.set(rowKey, null);
        return null;
      }
      t = { id: this.rowList.length, key: rowKey, count: 0, example: text, firstLine: line, analysis: prepare(a) };
      this.rowTemplates.set(rowKey, t);
      this.rowList.push(t);
    }
    if (t === null) return null;
    t.count++;
    return t;
  }

  /**
   * The records to read, without the earlier states of bars drawn to their last state more than once (a bar per
   * epoch: its last states are its records); `kept` as it is when there are none.
   */
  private withoutRedrawnBars(kept: Int32Array | null): Int32Array | null {
    if (!this.barFinals.some((n) => n >= 2)) return kept;
    const n = kept ? kept.length : this.recFlags.length;
    const out: number[] = [];
    for (let j = 0; j < n; j++) {
      const i = kept ? kept[j]! : j;
      const f = this.recFlags.get(i);
      if (f & PARTIAL && this.barFinals[f >>> PARTIAL_SHIFT]! >= 2) continue;
      out.push(i);
    }
    return Int32Array.from(out);
  }

  private templateOf(ref: number): Template<Analysed> {
    return ref >= ROW_BASE ? this.rowList[ref - ROW_BASE]! : this.miner.templates[ref]!;
  }

  /**
   * A history printed as a literal that did not parse (a paste cut off, a mangled dict), as the error of a text in
   * which nothing was read; null when there was none.
   */
  literalFailure(fileName: string): IngestError | null {
    const f = this.literals.failure;
    return f ? new IngestError({ file: fileName, line: f.line, reason: `a history printed as a literal, malformed: ${f.reason}` }) : null;
  }

  /** The physical line of the last record read (0 when none yet). */
  get lastRecordLine(): number {
    const n = this.recLine.length;
    const block = this.literals.blocks.at(-1);
    return Math.max(n > 0 ? this.recLine.get(n - 1) : 0, block ? block.lastLine : 0);
  }

  /** The runs read so far; [] when there are no training records. */
  runs(fileName: string): RunLog[] {
    const { keep: kept, note } = oneProcess(this.recTag, this.tags);
    const keep = this.withoutRedrawnBars(kept);
    const at = (i: number) => (keep ? keep[i]! : i);
    const runs = buildRuns(
      {
        count: keep ? keep.length : this.recTemplate.length,
        template: (i) => this.recTemplate.get(at(i)),
        line: (i) => this.recLine.get(at(i)),
        flags: (i) => this.recFlags.get(at(i)),
        value: (i, k) => this.values.get(this.recOffset.get(at(i)) + k),
        templateOf: (ref) => this.templateOf(ref),
        physicalLines: this.terminal.lines,
      },
      fileName,
    );
    if (note && runs.length > 0) runs[0]!.notes.push(note);
    return withLiterals(runs, this.literals.blocks, fileName, (r) => RUN_FIRST_LINE.get(r) ?? 0);
  }
}

/** What a bar is across its redraws and epochs: its identity with digits masked (`Epoch 3/20` is `Epoch #/#`). */
function partialBarKey(state: string): string {
  return barIdentity(state).replace(/\d+/g, '#');
}

/** The records a reader holds, as `buildRuns` reads them. */
interface Snapshot {
  count: number;
  template(i: number): number;
  line(i: number): number;
  flags(i: number): number;
  value(i: number, k: number): number;
  templateOf(ref: number): Template<Analysed>;
  physicalLines: number;
}

const ROW_BASE = 1 << 24;
/** A run read from at least this many templates, none of them matched twice, is prose, not training output. */
const PROSE_TEMPLATES = 3;
/** The physical line each run built here starts at (for placing a history printed whole after it). */
const RUN_FIRST_LINE = new WeakMap<RunLog, number>();

function needsHeader(a: Analysed): boolean {
  let unnamed = 0;
  let named = 0;
  for (const s of a.slots) {
    if (s.namedBy === 'none' && s.role !== 'total') unnamed++;
    else if (s.role === 'metric') named++;
  }
  return unnamed >= 2 && named <= 1;
}

function hasOwnPosition(a: TemplateAnalysis): boolean {
  return a.slots.some((s) => s.role === 'epoch' || s.role === 'step' || s.role === 'batch' || s.role === 'counter');
}

function prepare(a: TemplateAnalysis): Analysed {
  const keep: number[] = [];
  const at = new Int32Array(a.slots.length).fill(-1);
  const owned = new Set(a.slots.map((s) => s.total));
  const metric = !a.restatement && a.slots.some((s) => s.role === 'metric');
  const counter = a.slots.some((s) => s.role === 'epoch' || s.role === 'step' || s.role === 'batch' || s.role === 'counter');
  // A restatement (checkpoint message) keeps no metrics but may still position what follows.
  for (let k = 0; k < a.slots.length; k++) {
    const s = a.slots[k]!;
    const need =
      (s.role === 'metric' && !a.restatement) ||
      s.role === 'epoch' ||
      s.role === 'step' ||
      s.role === 'batch' ||
      s.role === 'counter' ||
      s.role === 'index' ||
      (s.role === 'total' && owned.has(k));
    if (need) {
      at[k] = keep.length;
      keep.push(k);
    }
  }
  const slots = a.restatement ? a.slots.map((s) => (s.role === 'metric' ? { ...s, role: 'ignore' as const } : s)) : a.slots;
  return { ...a, slots, keep, at, stored: metric || (counter && !a.restatement) };
}

/** The records read, in file order, with their own positions: one typed column per field. */
class RecordOrder {
  readonly record: Int32Array;
  readonly ref: Int32Array;
  readonly flags: Int32Array;
  private readonly cols: Float64Array[];
  length = 0;

  constructor(capacity: number) {
    this.record = new Int32Array(capacity);
    this.ref = new Int32Array(capacity);
    this.flags = new Int32Array(capacity);
    this.cols = Array.from({ length: 5 }, () => new Float64Array(capacity));
  }

  push(record: number, ref: number, flags: number, epoch: number, step: number, batch: number, batchTotal: number, variant: number): void {
    const o = this.length++;
    this.record[o] = record;
    this.ref[o] = ref;
    this.flags[o] = flags;
    this.cols[0]![o] = epoch;
    this.cols[1]![o] = step;
    this.cols[2]![o] = batch;
    this.cols[3]![o] = batchTotal;
    this.cols[4]![o] = variant;
  }

  /** Fills `into` with record o's own position. */
  own(o: number, into: OwnPosition): void {
    into.epoch = this.cols[0]![o]!;
    into.step = this.cols[1]![o]!;
    into.batch = this.cols[2]![o]!;
    into.batchTotal = this.cols[3]![o]!;
    into.variant = this.cols[4]![o]!;
  }
}

/** A read slot of a template and the series names it takes in each context. */
interface ReadSlot {
  k: number;
  s: Slot;
  explicit: boolean;
  percentNoted: boolean;
  /** By context (output index, split prefix, cadence): the series name and key. */
  names: Map<number, { canon: string; key: string; evaluation: boolean; context: string }>;
}

interface SeriesAcc {
  canon: string;
  name: string;
  namedBy: Slot['namedBy'];
  /** Why its split is not the one its own words say (` from the line before`), '' when it is. */
  context: string;
  cadence: 'step' | 'epoch';
  steps: PointColumn;
  epochs: PointColumn;
  values: PointColumn;
  purged: number;
  positioned: boolean;
  /** The last point was placed by its own line's counters. */
  lastOwn: boolean;
}

interface RunAcc {
  series: Map<string, SeriesAcc>;
  lines: number;
  /** Of the lines, states of a bar before its last on its line (bar-positions.ts). */
  partials: number;
  templates: Map<number, number>;
  ordinal: boolean;
  firstLine: number;
}

/** Loss-like, accuracy-like and other measure names mark the templates worth reading. */
function isMeasure(canon: string): boolean {
  const { key } = normaliseMetricName(canon);
  return isLossLike(canon) || MEASURE_WORDS.test(key) || key === 'lr' || key === 'grad_norm';
}

function buildRuns(snap: Snapshot, fileName: string): RunLog[] {
  const n = snap.count;
  if (n === 0) return [];
  // Per template: its records, in order.
  const byTemplate = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const t = snap.template(i);
    let list = byTemplate.get(t);
    if (!list) byTemplate.set(t, (list = []));
    list.push(i);
  }
  const col = (t: Template<Analysed>, recs: number[], slot: number): Float64Array => {
    const k = t.analysis.at[slot]!;
    const out = new Float64Array(recs.length);
    for (let j = 0; j < recs.length; j++) out[j] = k >= 0 ? snap.value(recs[j]!, k) : NaN;
    return out;
  };

  // A DataFrame whose rows are of several kinds (the Trainer's log dicts: NaN where a row has no value) is numbered by
  // row, not by epoch: its index positions nothing.
  const rowKinds = new Set<number>();
  for (const [ref, recs] of byTemplate) {
    const t = snap.templateOf(ref);
    const a = t.analysis;
    if (!a.table?.index) continue;
    if (!a.slots.some((s, k) => s.role === 'metric' && s.namedBy === 'header' && nanThenNumber(col(t, recs, k)))) continue;
    const k = a.slots.findIndex((s) => s.role === 'epoch' && s.name === 'index');
    if (k >= 0) a.slots[k] = { ...a.slots[k]!, role: 'ignore' };
    a.table.index = false;
    rowKinds.add(ref);
  }
  // Which metric slots are read: a template printed once is a banner, whole numbers under a name that is no
  // measure are counts, a template whose every value never changes is a label (`IoU=0.50`), not a curve.
  const metricSlots = new Map<number, number[]>();
  let anyLossTemplate = false;
  for (const [ref, recs] of byTemplate) {
    const a = snap.templateOf(ref).analysis;
    const t = snap.templateOf(ref);
    const kept: number[] = [];
    let varying = false;
    let onlyLr = true;
    for (let k = 0; k < a.slots.length; k++) {
      const s = a.slots[k]!;
      // A template printed once is a banner or a summary, unless it is positioned and measures something
      // (the one evaluation of a short run).
      if (s.role !== 'metric') continue;
      if (recs.length < 2 && !(hasOwnPosition(a) && isMeasure(s.canon))) continue;
      const v = col(t, recs, k);
      if (!isMeasure(s.canon) && (countsUp(v) || allIntegers(v))) continue;
      if (!isConstant(v)) varying = true;
      if (normaliseMetricName(s.canon).key !== 'lr') onlyLr = false;
      kept.push(k);
    }
    // (Columns under a table header are measurements even when they never move: mAP50 = 0 at every validation.)
    // (Twice is enough when nothing on the line positions it: a model summary printed before and after loading.)
    if (!varying && (recs.length >= 3 || !hasOwnPosition(a)) && !onlyLr && !kept.some((k) => a.slots[k]!.namedBy === 'header')) kept.length = 0;
    metricSlots.set(ref, kept);
    if (kept.some((k) => isLossLike(a.slots[k]!.canon))) anyLossTemplate = true;
  }

  // The roles of each template's counters, settled on their values.
  const plans = new Map<number, PlannedTemplate & { index: number; fractional: boolean; valOnChange: boolean; barCounter: boolean }>();
  let minEpoch = Infinity;
  for (const [ref, recs] of byTemplate) {
    const t = snap.templateOf(ref);
    const a = t.analysis;
    const bySlots = (role: string, weak?: boolean) => a.slots.flatMap((s, k) => (s.role === role && (weak === undefined || s.weak === weak) ? [k] : []));
    const totals = new Map<number, number>();
    a.slots.forEach((s, k) => {
      if (s.total >= 0) totals.set(k, s.total);
    });
    const cache = new Map<number, Float64Array>();
    const values = (slot: number) => {
      let v = cache.get(slot);
      if (!v) cache.set(slot, (v = col(t, recs, slot)));
      return v;
    };
    // A line without metrics positions what follows only through counters named as such, and only when it repeats
    // (`Epoch 3/20`, `Iteration 100, Testing net`): an unnamed `[0]` in a GPU table or `epochs: 80` in a config does not.
    const kept0 = metricSlots.get(ref)!;
    const positionsOnly = kept0.length === 0;
    const named = (xs: number[]) => (positionsOnly && recs.length < 2 ? [] : xs);
    const counters = planCounters({
      epoch: named(bySlots('epoch', false)),
      weakEpoch: named(bySlots('epoch', true)),
      step: named(bySlots('step')),
      batch: named(bySlots('batch')),
      counter: positionsOnly ? [] : bySlots('counter'),
      totals,
      afterBracket: new Set(a.slots.flatMap((s, k) => (s.afterBracket ? [k] : []))),
      values,
      records: recs.length,
    });
    const kept = metricSlots.get(ref)!;
    const hasLoss = kept.some((k) => isLossLike(a.slots[k]!.canon));
    // An epoch written with a decimal point (`'epoch': 1.0`) counts fractions of epochs: a step-level position.
    let fractional = counters.epoch >= 0 && a.slots[counters.epoch]!.decimal;
    if (counters.epoch >= 0) {
      for (const x of values(counters.epoch)) {
        if (!Number.isInteger(x)) fractional = true;
      }
      if (!fractional) for (const x of values(counters.epoch)) if (x < minEpoch) minEpoch = x;
    }
    const splits = new Set(kept.map((k) => normaliseMetricName(a.slots[k]!.canon).split));
    // A progress bar's postfix repeats the last validation on every training step (Lightning): then a validation
    // value is read when it changes. Known by the values: most consecutive validation values are equal.
    const repeatShare = (train: boolean): number => {
      let repeats = 0;
      let pairs = 0;
      for (const k of kept) {
        if ((normaliseMetricName(a.slots[k]!.canon).split === 'train') !== train) continue;
        const v = values(k);
        for (let j = 1; j < v.length; j++) {
          pairs++;
          if (Object.is(v[j], v[j - 1])) repeats++;
        }
      }
      return pairs ? repeats / pairs : 0;
    };
    plans.set(ref, {
      ...counters,
      fractionalEpoch: fractional,
      // The batch counter is a progress bar's n/N (its state at 0/N restates the epoch before).
      barCounter: counters.batch >= 0 && isBar(t) && a.slots[counters.batch]!.role === 'counter',
      hasMetrics: kept.length > 0,
      // Restarts are judged on the loss-carrying lines, or on lines that only position (Keras' `Epoch 3/20`).
      primary: anyLossTemplate ? hasLoss || kept.length === 0 : true,
      index: a.slots.findIndex((s) => s.role === 'index'),
      fractional,
      valOnChange: splits.has('train') && (splits.has('val') || splits.has('test')) && (counters.batch >= 0 || counters.step >= 0) && repeatShare(false) > 0.5 && repeatShare(false) > repeatShare(true) + 0.2,
    });
  }
  let firstEpoch = Number.isFinite(minEpoch) ? minEpoch : 0;
  // Setup printed before training (a config dump, a GPU table): lines without a counter of their own whose template
  // first appeared before the first line with one. When they come again between appended runs they are still setup.
  const positioned = (p: PlannedTemplate) => p.epoch >= 0 || p.step >= 0 || p.batch >= 0;
  let anchor = Infinity;
  for (const [ref, recs] of byTemplate) if (positioned(plans.get(ref)!) && recs.length >= 2) anchor = Math.min(anchor, recs[0]!);
  const setup = new Set<number>();
  if (Number.isFinite(anchor)) {
    for (const [ref, recs] of byTemplate) if ((!positioned(plans.get(ref)!) || recs.length < 2) && recs[0]! < anchor) setup.add(ref);
  }

  // The records that are read, with their own positions (columns, not an object per record).
  const order = new RecordOrder(n);
  for (let i = 0; i < n; i++) {
    const ref = snap.template(i);
    const a = snap.templateOf(ref).analysis;
    const plan = plans.get(ref)!;
    const flags = snap.flags(i);
    if (flags & RESTATED || setup.has(ref)) continue;
    if (metricSlots.get(ref)!.length === 0 && plan.epoch < 0 && plan.step < 0 && plan.batch < 0) continue;
    let epoch = slotOf(snap, a, i, plan.epoch);
    let batch = slotOf(snap, a, i, plan.batch);
    // A bar at 0/N has done nothing in its epoch yet: what it shows is the end of the epoch before (Lightning's Rich
    // bar is renamed `Epoch 1/2 … 0/8` still showing epoch 0's metrics; a tqdm bar starts with the last postfix).
    if (batch === 0 && plan.barCounter) {
      if (plan.epoch < 0 || plan.implicitEpochs || !(epoch - 1 >= 0)) continue;
      epoch -= 1;
      batch = slotOf(snap, a, i, plan.batchTotal);
      if (Number.isNaN(batch)) continue;
    }
    order.push(i, ref, flags, epoch, slotOf(snap, a, i, plan.step), batch, slotOf(snap, a, i, plan.batchTotal), slotOf(snap, a, i, plan.variant));
    // An epoch a bar's reset revealed counts in telling 0-based epochs from 1-based ones.
    if (plan.epoch >= 0 && !plan.fractionalEpoch && epoch < firstEpoch) firstEpoch = epoch;
  }
  const runStarts = findRunStarts(order, plans, snap, firstEpoch);

  const tracker = new PositionTracker();
  const runs: RunAcc[] = [];
  const runAt = (r: number): RunAcc => {
    while (runs.length <= r) runs.push({ series: new Map(), lines: 0, partials: 0, templates: new Map(), ordinal: false, firstLine: 0 });
    return runs[r]!;
  };
  const percentNames = new Set<string>();
  // What each read slot becomes, worked out once per template rather than once per value.
  const slotsOf = new Map<number, ReadSlot[]>();
  for (const [ref, kept] of metricSlots) {
    const a = snap.templateOf(ref).analysis;
    slotsOf.set(
      ref,
      kept.map((k) => {
        const s = a.slots[k]!;
        // (The learning rate and the gradient norm are the training's: no split carried from the line before is theirs.)
        const m = normaliseMetricName(s.canon);
        return { k, s, explicit: m.split !== 'train' || /^train/.test(s.canon) || m.key === 'lr' || m.key === 'grad_norm', names: new Map(), percentNoted: false };
      }),
    );
  }
  const own: OwnPosition = { epoch: NaN, step: NaN, batch: NaN, batchTotal: NaN, variant: NaN };
  for (let o = 0; o < order.length; o++) {
    const i = order.record[o]!;
    const ref = order.ref[o]!;
    const flags = order.flags[o]!;
    order.own(o, own);
    const t = snap.templateOf(ref);
    const a = t.analysis;
    const plan = plans.get(ref)!;
    const kept = slotsOf.get(ref)!;
    const place = tracker.place(ref, plan, own, snap.line(i), firstEpoch, (flags & ROLLED_BACK) !== 0, runStarts.has(o));
    if (kept.length === 0) continue;
    const run = runAt(place.run);
    if (run.lines === 0) run.firstLine = snap.line(i);
    run.lines++;
    if (flags & PARTIAL) run.partials++;
    run.templates.set(ref, (run.templates.get(ref) ?? 0) + 1);
    if (place.ordinal) run.ordinal = true;
    const carry = CODE_SPLIT[flags & 3] ?? null;
    const variantIdx = plan.variant >= 0 ? plan.variantTotals.indexOf(own.variant) : 0;
    const index = plan.index >= 0 ? slotOf(snap, a, i, plan.index) : 0;
    for (const rs of kept) {
      const { k, s, explicit } = rs;
      let value = slotOf(snap, a, i, k);
      if (s.ratio && s.total >= 0) value = value / slotOf(snap, a, i, s.total);
      else if (s.percent) {
        value = value / 100;
        if (!rs.percentNoted) {
          percentNames.add(s.name);
          rs.percentNoted = true;
        }
      }
      // The series' name in this record's context: a carried split, the evaluation variant, an output index.
      const prefix = !explicit && carry && carry !== 'train' ? carry : !explicit && variantIdx > 0 && !a.ownSplit ? 'val' : '';
      const nameKey = (index * 4 + (prefix === '' ? 0 : prefix === 'val' ? 1 : 2)) * 2 + (place.cadence === 'step' ? 1 : 0);
      let named = rs.names.get(nameKey);
      if (!named) {
        let canon = prefix ? `${prefix}_${s.canon}` : s.canon;
        if (index > 0) canon = `${canon}_${index}`;
        const context =
          prefix === '' ? '' : prefix === carry ? ' from the line before' : ` on the lines counting to ${own.variant}; ${s.canon} on those counting to ${plan.variantTotals[0]}`;
        named = { canon, key: `${canon}\u0000${place.cadence}`, evaluation: normaliseMetricName(canon).split !== 'train', context };
        rs.names.set(nameKey, named);
      }
      const { canon, key } = named;
      let acc = run.series.get(key);
      if (!acc) run.series.set(key, (acc = { canon, name: s.name, namedBy: s.namedBy, context: named.context, cadence: place.cadence, steps: new PointColumn(), epochs: new PointColumn(), values: new PointColumn(), purged: 0, positioned: false, lastOwn: false }));
      if (plan.valOnChange && named.evaluation && acc.values.length && Object.is(acc.values.last(), value)) continue;
      // A value placed only by the lines before it (`Score: 0.37` after a fold) does not replace one its own line
      // placed (`Epoch 3 - Score: 0.31`).
      if (!place.own && acc.lastOwn && acc.steps.length && acc.steps.last() >= place.step) continue;
      // Last write wins: a point at or before the previous one re-logs it (a bar's redraw, a rollback).
      while (acc.steps.length && acc.steps.last() >= place.step) {
        acc.steps.pop();
        acc.epochs.pop();
        acc.values.pop();
        acc.purged++;
      }
      acc.steps.push(place.step);
      acc.epochs.push(place.epoch);
      acc.values.push(value);
      acc.lastOwn = place.own;
      if (!place.ordinal) acc.positioned = true;
    }
  }

  const base = runNameFromFileName(fileName);
  const out: RunLog[] = [];
  for (const r of runs) {
    if (r.series.size === 0) continue;
    // Training output repeats its lines. Three or more templates that each matched one line are prose with numbers
    // in it (a labels table's notes, a README), not a log: reading them made "loss falls smoothly" a curve.
    if (r.templates.size >= PROSE_TEMPLATES && Math.max(...r.templates.values()) < 2) continue;
    // Values printed before any counter, in a run that has counters, are the setup (a config dump), not a curve.
    const anyPositioned = [...r.series.values()].some((x) => x.positioned);
    const accs = [...r.series.values()].filter((x) => !anyPositioned || x.positioned);
    const notes: string[] = [];
    const builder = new SeriesBuilder();
    const cadencesOf = new Map<string, Set<string>>();
    for (const acc of accs) {
      const set = cadencesOf.get(acc.canon) ?? new Set();
      set.add(acc.cadence);
      cadencesOf.set(acc.canon, set);
    }
    let redraws = 0;
    const finalName = (acc: SeriesAcc) => (acc.cadence === 'epoch' && cadencesOf.get(acc.canon)!.size > 1 ? `${acc.canon}_epoch` : acc.canon);
    const sparse: string[] = [];
    const summaries: string[] = [];
    for (const acc of accs) {
      // The same name at both cadences (per batch and at the epoch's end): the epoch-level one is `<name>_epoch`.
      const raw = finalName(acc);
      let [steps, values, epochs] = [acc.steps.toArray(), acc.values.toArray(), acc.epochs.toArray()];
      // A table column with NaN between values (a DataFrame of the Trainer's log dicts: eval rows have no loss) has
      // empty cells, not NaN losses: a NaN a run diverged into is never followed by a number.
      if (acc.namedBy === 'header' && nanThenNumber(values)) {
        const rows = values.length;
        const keep = (_: number, i: number) => !Number.isNaN(values[i]!);
        [steps, epochs, values] = [steps.filter(keep), epochs.filter(keep), values.filter(keep)];
        // One value in a column of many rows is a summary row's (the Trainer's final train_loss), not a curve.
        if (values.length < 2 && rows >= 3) {
          summaries.push(raw);
          continue;
        }
        sparse.push(raw);
      }
      if (values.length === 0) continue;
      builder.addColumn(raw, steps, values, epochs, null, acc.cadence);
      redraws += acc.purged;
    }
    if (sparse.length) notes.push(`NaN cells between values of table columns read as empty, not as NaN values: ${sparse.slice(0, 8).join(', ')}${sparse.length > 8 ? ' …' : ''}`);
    if (summaries.length) notes.push(`table columns with a single value (a summary row) not read: ${summaries.slice(0, 8).join(', ')}${summaries.length > 8 ? ' …' : ''}`);
    const series = dropDuplicateSeries(builder.build('epoch', notes));
    if (series.length === 0) continue;
    const total = totalAsLoss(series, percentNames);
    if (total) notes.push(total);
    notes.unshift(describeRead(r, snap, runs.filter((x) => x.series.size > 0).length > 1 ? null : snap.physicalLines));
    const inferred = inferredNames(accs, finalName);
    if (inferred) notes.push(inferred);
    if (percentNames.size) notes.push(`values written with % read as fractions: ${[...percentNames].slice(0, 6).join(', ')}`);
    if (redraws > 0) notes.push(`${redraws} point(s) logged again at the same or an earlier position (progress-bar redraws, rollbacks): the later value kept`);
    if (r.ordinal) notes.push('no epoch or step counter found: records numbered in file order from 0');
    const tables = [...r.templates.keys()].map((ref) => snap.templateOf(ref).analysis.table).filter((x) => x !== undefined);
    if (tables.some((x) => x.index)) notes.push("a table's unnamed first column (a DataFrame's index) read as the epoch");
    if ([...r.templates.keys()].some((ref) => rowKinds.has(ref))) notes.push("a table whose rows are of several kinds (NaN where a row has no value): its unnamed first column numbers rows, not epochs");
    if (tables.some((x) => x.elided)) notes.push("a table printed with '...' for columns it left out (pandas' display width): only the columns shown are read");
    out.push({ name: out.length === 0 ? base : `${base} (run ${out.length + 1})`, format: 'console_text', series, notes, meta: { reader: 'console' } });
    RUN_FIRST_LINE.set(out[out.length - 1]!, r.firstLine);
  }
  if (out.length > 1) out[0]!.notes.push(`${out.length} runs appended in one file (counters restart at lines ${tracker.restarts.slice(0, 10).join(', ')}${tracker.restarts.length > 10 ? ' …' : ''})`);
  return out;
}

/**
 * Where runs start (indices into `order`): where a primary counter goes back to where its run began. Lines printed
 * just before whose own counters are back at their start too (`Epoch: 001/020 | Current Learning Rate` before the
 * first batch line of the next run, `validation loss at step 0` before `step 0/866`) start the run with it.
 */
function findRunStarts(
  order: RecordOrder,
  plans: Map<number, PlannedTemplate>,
  snap: Snapshot,
  firstEpoch: number,
): Set<number> {
  const probe = new PositionTracker();
  const atStart: boolean[] = [];
  const starts: number[] = [];
  let run = 0;
  const own: OwnPosition = { epoch: NaN, step: NaN, batch: NaN, batchTotal: NaN, variant: NaN };
  for (let o = 0; o < order.length; o++) {
    const i = order.record[o]!;
    const ref = order.ref[o]!;
    const flags = order.flags[o]!;
    order.own(o, own);
    const plan = plans.get(ref)!;
    const p = probe.place(ref, plan, own, snap.line(i), firstEpoch, (flags & ROLLED_BACK) !== 0);
    atStart.push(probe.atStart);
    if (p.run !== run) {
      run = p.run;
      let start = o;
      const floor = starts.length ? starts[starts.length - 1]! : 0;
      while (start - 1 > floor && atStart[start - 1]) start--;
      starts.push(start);
    }
  }
  return new Set(starts);
}

/** Record i's value of a template's slot, NaN when the slot is absent or not stored. */
function slotOf(snap: Snapshot, a: Analysed, i: number, slot: number): number {
  if (slot < 0) return NaN;
  const k = a.at[slot]!;
  return k >= 0 ? snap.value(i, k) : NaN;
}

/** A name that only counts up in whole numbers (`Failed to flush 186 events`, samples seen) is a counter, not a curve. */
function countsUp(v: Float64Array): boolean {
  if (v.length < 3) return false;
  let distinct = 0;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isInteger(v[i]!)) return false;
    if (i > 0) {
      if (v[i]! < v[i - 1]!) return false;
      if (v[i]! > v[i - 1]!) distinct++;
    }
  }
  return distinct >= 2;
}

/** Some NaN comes before a number. */
function nanThenNumber(v: Float64Array): boolean {
  let nan = false;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) nan = true;
    else if (nan) return true;
  }
  return false;
}

/** A progress bar's line (`40%|████`, `━━━━`). */
function isBar(t: Template<Analysed>): boolean {
  return t.key.includes('▮') || t.key.includes('#%|');
}

function allIntegers(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i]!)) return false;
  return true;
}

/** The same finite value throughout (a NaN loss on every line is a symptom, not a label). */
function isConstant(v: Float64Array): boolean {
  if (!Number.isFinite(v[0]!)) return false;
  for (let i = 1; i < v.length; i++) if (!Object.is(v[i], v[0])) return false;
  return true;
}

/** Two series with the same key, split, cadence and points (Caffe prints the loss twice per iteration): one is enough. */
function dropDuplicateSeries<T extends { key: string; split: string; cadence: string; steps: Float64Array; values: Float64Array }>(series: T[]): T[] {
  const out: T[] = [];
  for (const s of series) {
    const twin = out.find((o) => o.key === s.key && o.split === s.split && o.cadence === s.cadence && sameArray(o.steps, s.steps) && sameArray(o.values, s.values));
    if (!twin) out.push(s);
  }
  return out;
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}


/** `read 240 of 1,310 lines with 3 templates: `Epoch <n>/<n> … loss: <v>` (120), …`. */
function describeRead(r: RunAcc, snap: Snapshot, physical: number | null): string {
  const parts = [...r.templates.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([ref, count]) => `\`${templateText(snap.templateOf(ref))}\` (${count.toLocaleString('en-US')})`);
  const more = r.templates.size > 4 ? ` and ${r.templates.size - 4} more` : '';
  const templates = `${r.templates.size} template${r.templates.size === 1 ? '' : 's'}: ${parts.join(', ')}${more}`;
  // A bar redrawn on one line is read at each of its positions: more records than lines.
  if (r.partials > 0) {
    const where = physical !== null ? ` of ${physical.toLocaleString('en-US')} line${physical === 1 ? '' : 's'}` : ` from line ${r.firstLine}`;
    return `read ${r.lines.toLocaleString('en-US')} records${where} (${r.partials.toLocaleString('en-US')} of them earlier states of a progress bar redrawn on its line) with ${templates}`;
  }
  const of = physical !== null ? ` of ${physical.toLocaleString('en-US')} lines` : ` lines (from line ${r.firstLine})`;
  return `read ${r.lines.toLocaleString('en-US')}${of} with ${templates}`;
}

/**
 * The template's example with metric values as `<v>`, counters as `<n>` and the variable parts it does not read
 * (timestamps, durations, rates, other numbers) as `<*>` (bars as ▮), shortened: the first line's `Step: 1s194ms`
 * or `2018-03-23 15:29:33,355` shown as they were printed read as if every line said that. Versions and source
 * locations (`solver.cpp:222`) stay as written.
 */
function templateText(t: Template<Analysed>): string {
  const a = t.analysis;
  let out = '';
  for (const tok of tokenize(t.example.trim())) {
    if (tok.kind === 'masked') out += /^\d/.test(tok.text) && !/^\d+(?:\.\d+){2,}$/.test(tok.text) ? '<*>' : tok.text;
    else if (tok.kind !== 'num') out += tok.text;
    else {
      const s = a.slots[tok.slot!];
      out += !s || s.role === 'ignore' ? '<*>' : s.role === 'metric' ? '<v>' : '<n>';
    }
  }
  // tqdm's `[03:20<00:00, 3.12it/s` is one thing not read.
  const text = out.replace(/\s+/g, ' ').replace(/<\*>(?:<<\*>)+/g, '<*>');
  if (text.length <= 90) return text;
  // Cut between marks, not inside one (`<v … >`).
  let head = text.slice(0, 60);
  if (head.lastIndexOf('<') > head.lastIndexOf('>')) head = head.slice(0, head.lastIndexOf('<'));
  let tail = text.slice(-25);
  const close = tail.indexOf('>');
  if (close >= 0 && (tail.indexOf('<') < 0 || close < tail.indexOf('<'))) tail = tail.slice(close + 1);
  return `${head.trimEnd()} … ${tail.trimStart()}`;
}

/**
 * Names whose split or key was inferred (prose names, carried splits, table columns), as the run's series are named
 * (`Avg Loss` → loss_epoch beside a per-step loss), with why a split differs from the words (`Loss` → val_loss on the
 * lines counting to 100).
 */
function inferredNames(accs: SeriesAcc[], finalName: (acc: SeriesAcc) => string): string | null {
  const seen = new Map<string, string>();
  for (const acc of accs) {
    const name = finalName(acc);
    if (!acc.name || acc.name.toLowerCase() === name) continue;
    const m = normaliseMetricName(acc.canon);
    const why = acc.namedBy === 'header' ? ' from the table header' : acc.namedBy === 'right' ? ' from the word after the value' : '';
    seen.set(`${acc.name}\u0000${name}`, `${name} (${m.key}, ${m.split}${acc.context})${why}`);
  }
  if (seen.size === 0) return null;
  const list = [...seen.entries()].slice(0, 12).map(([p, c]) => `\`${p.split('\u0000')[0]}\` → ${c}`);
  return `names read as: ${list.join(', ')}${seen.size > 12 ? ' …' : ''}`;
}

/** How much of a long text is decoded and read at a time when reading straight from bytes. */
const DECODE_CHUNK = 4 * 1024 * 1024;

/** Reads a whole text. */
export function readConsoleText(text: string, fileName: string): RunLog[] {
  const r = new ConsoleReader();
  r.push(text);
  r.end();
  return r.runs(fileName);
}

/** The error for a text without training records: what was looked for. */
export function noTrainingRecords(fileName: string, lines: number): IngestError {
  return new IngestError({
    file: fileName,
    reason:
      'not a recognised training log: expected a Keras CSVLogger file or History JSON, a Hugging Face trainer_state.json, ' +
      'a Lightning metrics.csv, JSON Lines metrics, a CSV with a loss column, a TensorBoard event file, an MLflow store, ' +
      'a zip of these, or console output whose lines repeat with metric values (such as "loss: 0.41", "val_acc=0.8" or ' +
      `"Epoch 3/20 … loss 0.5", or a table with a loss column); found none in ${lines.toLocaleString('en-US')} line(s)`,
  });
}

/** Lines the sniffer reads at most: enough for a long preamble before the first epoch. */
const SNIFF_LINES = 50_000;

/** The error of a history printed as a literal that did not parse, in a text read from the start; null when none. */
export function literalFailureIn(text: string, fileName: string): IngestError | null {
  const r = new ConsoleReader();
  r.push(text);
  r.end();
  return r.literalFailure(fileName);
}

/** Whether the start of a text holds training records (two lines of a template with a metric, or one with a counter). */
export function hasTrainingRecords(prefix: string): boolean {
  const r = new ConsoleReader();
  let start = 0;
  let lines = 0;
  while (start < prefix.length && lines < SNIFF_LINES) {
    let end = prefix.indexOf('\n', start);
    if (end < 0) end = prefix.length;
    lines++;
    start = end + 1;
  }
  r.push(prefix.slice(0, start));
  r.end();
  return r.runs('sniff').some((run) => run.series.some((s) => s.values.length >= 2));
}

/**
 * The general reader as a format parser, asked last. It claims text that holds training records and is not a
 * delimited table (tables go to the CSV readers, whose errors name the missing loss column).
 */
export const consoleTextParser: FormatParser = {
  format: 'console_text',

  sniff(text: string): boolean {
    return hasTrainingRecords(text);
  },

  parse(text: string, fileName: string): RunLog[] {
    const r = new ConsoleReader();
    r.push(text);
    r.end();
    const runs = r.runs(fileName);
    if (runs.length === 0) throw r.literalFailure(fileName) ?? noTrainingRecords(fileName, r.physicalLines);
    return runs;
  },

  parseSource(source: TextSource, fileName: string): RunLog[] {
    const r = readerOfSource(source);
    const runs = r.runs(fileName);
    if (runs.length === 0) throw r.literalFailure(fileName) ?? noTrainingRecords(fileName, countPhysicalLines(source.utf8));
    return runs;
  },
};

/** Reads a validated source, decoding a chunk at a time: a 200 MB log never becomes one 400 MB string. */
export function readConsoleSource(source: TextSource, fileName: string): RunLog[] {
  return readerOfSource(source).runs(fileName);
}

function readerOfSource(source: TextSource): ConsoleReader {
  const r = new ConsoleReader();
  const decoder = new TextDecoder('utf-8');
  const bytes = source.utf8;
  for (let at = 0; at < bytes.length; at += DECODE_CHUNK) {
    r.push(decoder.decode(bytes.subarray(at, Math.min(bytes.length, at + DECODE_CHUNK)), { stream: true }));
  }
  r.push(decoder.decode());
  r.end();
  return r;
}

function countPhysicalLines(bytes: Uint8Array): number {
  let n = bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? 1 : 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
