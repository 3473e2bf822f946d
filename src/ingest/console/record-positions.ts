/**
 * Where each record of a console log sits: its run, epoch and step. Names alone do not settle it: `step` in
 * `iteration:1 step:16/652` counts batches within an iteration, `Iteration[50/3385]` restarts every epoch, an unnamed
 * `[23/464]` is a batch and an unnamed `[1]` a boosting round. So the roles of the counters a template's words
 * suggest are settled on the numbers the template printed: a counter that falls back exactly when another one
 * advances is the inner one; a bar that always reads `n/N` with n = N is a finished bar, not a position.
 *
 * Then one pass in file order: a record with its own counters sets the position; a record without (a `Validation
 * accuracy: 0.44` line after a batch line, the bar after Keras' `Epoch 3/20`, Caffe's `Test net output` after
 * `Iteration 100, Testing net`) takes the current one. A primary counter (of a template that carries the loss, or of
 * a line that only positions) going back to where its run began starts a new run (several runs appended in one
 * file); going back part of the way is a rollback, and the points it re-logs replace the old ones.
 */

/** What the position pass needs to know of a template. */
export interface PlannedTemplate {
  /** Slot indices (−1 when absent). */
  epoch: number;
  step: number;
  batch: number;
  /** Total of the batch counter (batches or samples per epoch), −1 when not printed. */
  batchTotal: number;
  /** The batch counter wraps without an epoch counter: epochs are counted from the wraps. */
  implicitEpochs: boolean;
  /** The step counter is rounded (`step:25K`): steps are rebuilt from the fractional epoch. */
  stepFromEpoch: number;
  /** A finished progress bar (n = N on every line): its records are epoch-level. */
  finishedBar: boolean;
  /** Slot of a bar total that tells a training bar from an evaluation bar of the same shape, −1 when none. */
  variant: number;
  /** The slot values telling the variants apart, largest first (the largest is training). */
  variantTotals: number[];
  /** Its counters may end a run when they go back to where the run began. */
  primary: boolean;
  /** Lines with metrics (rather than only positions). */
  hasMetrics: boolean;
  /** The epoch counter has fractions (Hugging Face's `'epoch': 0.5`): its records are step-level. */
  fractionalEpoch?: boolean;
}

/** The slots a counter decision looks at, and their values in file order. */
export interface CounterColumns {
  epoch: number[];
  step: number[];
  batch: number[];
  counter: number[];
  weakEpoch: number[];
  /** slot → its total slot */
  totals: Map<number, number>;
  afterBracket: Set<number>;
  /** slot → values over the template's records */
  values: (slot: number) => ArrayLike<number>;
  records: number;
}

/** Share of the transitions a counter may fall back (runs appended, rollbacks) and still count as increasing. */
const MAX_FALLBACKS = 0.05;

/** Decides the counter roles of one template from its slots' values. */
export function planCounters(c: CounterColumns): Pick<PlannedTemplate, 'epoch' | 'step' | 'batch' | 'batchTotal' | 'implicitEpochs' | 'finishedBar' | 'variant' | 'variantTotals' | 'stepFromEpoch'> {
  const plan = { epoch: -1, step: -1, batch: -1, batchTotal: -1, implicitEpochs: false, finishedBar: false, variant: -1, variantTotals: [] as number[], stepFromEpoch: 0 };
  const col = (s: number) => c.values(s);
  const totalOf = (s: number) => c.totals.get(s) ?? -1;
  let epochs = [...c.epoch];
  if (epochs.length === 0 && c.weakEpoch.length) epochs = [...c.weakEpoch];
  // Of two step counters (`iteration 0: global_step=12`), the one that moves most is the step.
  const steps = [...c.step].sort((a, b) => distinctCount(col(b)) - distinctCount(col(a)));
  const batches = [...c.batch];
  const counters: number[] = [];
  for (const s of c.counter) {
    const t = totalOf(s);
    if (t >= 0 && everyEqual(col(s), col(t))) {
      plan.finishedBar = true;
      const distinct = distinctValues(col(t));
      // Two bars of one shape taking turns (a training bar over 391 batches, then an evaluation bar over 100), not
      // one bar whose total changed between runs appended in the file.
      if (distinct.length >= 2 && distinct.length <= 3 && plan.variant < 0 && changes(col(t)) * 4 >= c.records) {
        plan.variant = t;
        plan.variantTotals = distinct.sort((a, b) => b - a);
      }
      continue;
    }
    counters.push(s);
  }
  if (epochs.length) plan.epoch = epochs[0]!;
  else {
    // No counter named epoch: of two counters, the one that advances when the other falls back is the epoch.
    const pool = [...counters, ...batches, ...steps];
    outer: for (const a of pool) {
      for (const b of pool) {
        if (a === b) continue;
        if (fallsBackWhenAdvances(col(b), col(a))) {
          plan.epoch = a;
          plan.batch = b;
          plan.batchTotal = totalOf(b);
          break outer;
        }
      }
    }
    const take = (arr: number[], s: number) => {
      const k = arr.indexOf(s);
      if (k >= 0) arr.splice(k, 1);
    };
    if (plan.epoch >= 0) {
      for (const arr of [steps, counters, batches]) {
        take(arr, plan.epoch);
        take(arr, plan.batch);
      }
    }
  }
  const e = plan.epoch >= 0 ? col(plan.epoch) : null;
  for (const s of steps) {
    if (plan.step < 0 && !(e && fallsBackWhenAdvances(col(s), e) && countFallbacks(col(s)) > 0)) plan.step = s;
    else if (plan.batch < 0) {
      plan.batch = s;
      plan.batchTotal = totalOf(s);
    }
  }
  for (const s of [...batches, ...counters]) {
    if (plan.batch >= 0 && plan.step >= 0) break;
    const v = col(s);
    const t = totalOf(s);
    if (e) {
      // `0 completed epochs, 100 batches` … `1 completed epochs, 300 batches`: a batch count that never falls back
      // while epochs pass counts all batches so far: a step.
      if (plan.step < 0 && t < 0 && countFallbacks(v) === 0 && advances(e) > 0 && mostlyIncreasing(v)) {
        plan.step = s;
        continue;
      }
      if (plan.batch < 0 && (fallsBackWhenAdvances(v, e) || c.afterBracket.has(s) || batches.includes(s) || t >= 0)) {
        plan.batch = s;
        plan.batchTotal = t;
      }
      continue;
    }
    if (t >= 0 && wrapsNearTotal(v, col(t))) {
      if (plan.batch < 0) {
        plan.batch = s;
        plan.batchTotal = t;
        plan.implicitEpochs = true;
      }
      continue;
    }
    if (plan.step < 0 && mostlyIncreasing(v)) {
      const total = t >= 0 ? maxOf(col(t)) : Infinity;
      if (batches.includes(s) || total > 1000 || plan.epoch >= 0) plan.step = s;
      else plan.epoch = s;
    }
  }
  // A rounded step (`25K`) repeats while the fractional epoch moves on: rebuild steps from the epoch.
  if (plan.step >= 0 && e && repeatsWhileOtherAdvances(col(plan.step), e)) plan.stepFromEpoch = stepsPerEpoch(col(plan.step), e);
  return plan;
}

function everyEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length === 0) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function distinctCount(a: ArrayLike<number>): number {
  const set = new Set<number>();
  for (let i = 0; i < a.length; i++) set.add(a[i]!);
  return set.size;
}

function distinctValues(a: ArrayLike<number>): number[] {
  const set = new Set<number>();
  for (let i = 0; i < a.length && set.size <= 4; i++) set.add(a[i]!);
  return [...set];
}

function maxOf(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

function changes(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 1; i < a.length; i++) if (a[i] !== a[i - 1]) n++;
  return n;
}

function advances(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[i - 1]!) n++;
  return n;
}

function countFallbacks(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! < a[i - 1]!) n++;
  return n;
}

function mostlyIncreasing(a: ArrayLike<number>): boolean {
  if (a.length < 2) return a.length === 1;
  return countFallbacks(a) <= Math.max(1, MAX_FALLBACKS * (a.length - 1)) && a[a.length - 1]! !== a[0]!;
}

/** `inner` falls back at least once, and (almost) only where `outer` advances. */
function fallsBackWhenAdvances(inner: ArrayLike<number>, outer: ArrayLike<number>): boolean {
  let falls = 0;
  let withOuter = 0;
  let outerAdvances = 0;
  for (let i = 1; i < inner.length; i++) {
    if (outer[i]! > outer[i - 1]!) outerAdvances++;
    if (inner[i]! < inner[i - 1]!) {
      falls++;
      if (outer[i]! > outer[i - 1]!) withOuter++;
    }
  }
  // And the outer one advances about as often as the inner one falls back (an epoch, not a step counter moving on every line).
  return falls > 0 && withOuter >= falls * 0.9 && outerAdvances >= 1 && outerAdvances <= 2 * falls + 1;
}

/** A counter that falls back only from near its total (batch 466/469 → 0/469): epochs without an epoch counter. */
function wrapsNearTotal(v: ArrayLike<number>, total: ArrayLike<number>): boolean {
  let falls = 0;
  let nearEnd = 0;
  let maxGap = 0;
  for (let i = 1; i < v.length; i++) {
    if (v[i]! > v[i - 1]!) maxGap = Math.max(maxGap, v[i]! - v[i - 1]!);
  }
  for (let i = 1; i < v.length; i++) {
    if (v[i]! < v[i - 1]!) {
      falls++;
      if (v[i - 1]! >= total[i - 1]! - Math.max(2 * maxGap, 0.05 * total[i - 1]!)) nearEnd++;
    }
  }
  return falls > 0 && nearEnd === falls;
}

function repeatsWhileOtherAdvances(step: ArrayLike<number>, other: ArrayLike<number>): boolean {
  let repeats = 0;
  for (let i = 1; i < step.length; i++) if (step[i] === step[i - 1] && other[i]! > other[i - 1]!) repeats++;
  return repeats >= 2;
}

/** Least-squares steps per epoch through the origin: the rounding of `25K` averages out. */
function stepsPerEpoch(step: ArrayLike<number>, epoch: ArrayLike<number>): number {
  let se = 0;
  let ee = 0;
  for (let i = 0; i < step.length; i++) {
    if (!Number.isFinite(step[i]!) || !Number.isFinite(epoch[i]!)) continue;
    se += step[i]! * epoch[i]!;
    ee += epoch[i]! * epoch[i]!;
  }
  return ee > 0 ? se / ee : 0;
}

/** A record's own position, from its template's counters. NaN where the line does not say. */
export interface OwnPosition {
  epoch: number;
  step: number;
  batch: number;
  batchTotal: number;
  variant: number;
}

/** Where a record was placed. */
export interface Placement {
  run: number;
  step: number;
  /** The (possibly fractional) epoch, NaN when unknown. */
  epoch: number;
  cadence: 'step' | 'epoch';
  /** Placed by the order of records, nothing numbered it. */
  ordinal: boolean;
  /** Placed by the record's own counters (not the lines before it). */
  own: boolean;
}

interface TemplateRunState {
  first: number;
  last: number;
}

/**
 * The file-order pass. `place` is called once per record, in order; it returns where the record goes. Runs are
 * numbered from 0.
 */
export class PositionTracker {
  private run = 0;
  private epoch = NaN;
  private step = NaN;
  /** The last own position was a step with no epoch (Caffe's `Iteration N`), so followers are step-level. */
  private stepOnly = false;
  /** The current position came from a fractional epoch (its followers share that step). */
  private fractional = false;
  private ordinal = -1;
  private ordinalSeen = new Set<number>();
  private readonly perTemplate = new Map<number, TemplateRunState>();
  /** Batch-to-global-step bookkeeping per template: the epoch offset when the batch total is unknown. */
  private readonly batchState = new Map<number, { epochKey: number; offset: number; lastBatch: number; maxBatch: number; wraps: number; gap: number }>();
  readonly restarts: number[] = [];
  /** The placement returned by `place`, reused: read it before the next call. */
  private readonly placement: Placement = { run: 0, step: 0, epoch: NaN, cadence: 'epoch', ordinal: false, own: false };

  private result(step: number, epoch: number, cadence: 'step' | 'epoch', ordinal: boolean, own = false): Placement {
    const p = this.placement;
    p.own = own;
    p.run = this.run;
    p.step = step;
    p.epoch = epoch;
    p.cadence = cadence;
    p.ordinal = ordinal;
    return p;
  }
  /** Whether the record just placed went back to where its template's counter began in this run. */
  wentBack = false;
  /** Whether its template was seen before in this run and its counter is back at (or before) where it began. */
  atStart = false;

  /**
   * `minEpoch`: the smallest whole epoch the text prints (0 or 1: how epochs are numbered). `rolledBack`: a message
   * before this record said training went back to a checkpoint, so a counter going back is not a new run.
   * `startsRun`: whether this record starts a run, when the caller has decided it (see `findRunStarts`); otherwise a
   * primary counter going back to where its run began does.
   */
  place(templateId: number, plan: PlannedTemplate, own: OwnPosition, line: number, minEpoch: number, rolledBack = false, startsRun?: boolean): Placement {
    const hasEpoch = !Number.isNaN(own.epoch);
    const hasStep = !Number.isNaN(own.step);
    const hasBatch = !Number.isNaN(own.batch);
    let epoch = own.epoch;
    let step = own.step;
    let batchFraction = NaN;

    if (hasBatch) {
      const st = this.batchState.get(templateId) ?? { epochKey: NaN, offset: 0, lastBatch: NaN, maxBatch: 0, wraps: 0, gap: Infinity };
      if (!Number.isNaN(st.lastBatch) && own.batch > st.lastBatch) st.gap = Math.min(st.gap, own.batch - st.lastBatch);
      if (plan.implicitEpochs) {
        if (!Number.isNaN(st.lastBatch) && own.batch < st.lastBatch) st.wraps++;
        epoch = st.wraps;
      }
      const total = own.batchTotal > 0 ? own.batchTotal : NaN;
      if (!hasStep) {
        const e0 = Number.isNaN(epoch) ? 0 : epoch - (plan.implicitEpochs ? 0 : minEpoch >= 1 ? 1 : 0);
        if (!Number.isNaN(total)) step = Math.round(e0 * total + own.batch);
        else {
          // No total printed: each epoch starts where the previous one's last batch ended.
          if (!Number.isNaN(st.epochKey) && epoch !== st.epochKey) st.offset += st.maxBatch + (Number.isFinite(st.gap) ? st.gap : 1);
          step = st.offset + own.batch;
        }
      }
      if (!Number.isNaN(total) && total > 0) batchFraction = own.batch / total;
      if (epoch !== st.epochKey) st.maxBatch = 0;
      st.maxBatch = Math.max(st.maxBatch, own.batch);
      st.epochKey = epoch;
      st.lastBatch = own.batch;
      this.batchState.set(templateId, st);
    }
    if (plan.stepFromEpoch > 0 && hasEpoch) step = Math.round(own.epoch * plan.stepFromEpoch);

    // A run starts again when a primary counter goes back to where its run began (or where the caller says).
    const counter = plan.implicitEpochs ? step : !Number.isNaN(own.step) ? own.step : hasEpoch ? own.epoch : hasBatch ? step : NaN;
    this.wentBack = false;
    this.atStart = false;
    if (!Number.isNaN(counter)) {
      const st = this.perTemplate.get(templateId);
      this.wentBack = st !== undefined && counter < st.last && counter <= st.first;
      this.atStart = st !== undefined && counter <= st.first;
      if (startsRun === true || (startsRun === undefined && plan.primary && this.wentBack && !rolledBack)) this.startRun(line);
      const now = this.perTemplate.get(templateId);
      if (!now) this.perTemplate.set(templateId, { first: counter, last: counter });
      else now.last = counter;
    } else if (startsRun === true) this.startRun(line);

    const ownStep = !Number.isNaN(step) && !plan.finishedBar;
    const ownEpoch = !Number.isNaN(epoch);
    if (ownStep || ownEpoch) {
      this.epoch = ownEpoch ? epoch : NaN;
      this.step = ownStep ? step : NaN;
      this.stepOnly = ownStep && !ownEpoch;
      this.fractional = Boolean(plan.fractionalEpoch) && !ownStep;
      if (this.fractional) this.step = epoch;
      if (hasEpoch && plan.fractionalEpoch && !ownStep) {
        // A fractional epoch (Hugging Face's `'epoch': 0.5`) is a step-level position.
        return this.result(own.epoch, own.epoch, 'step', false, true);
      }
      if (ownStep) {
        const frac = ownEpoch ? (Number.isNaN(batchFraction) ? epoch : epoch - (minEpoch >= 1 && !plan.implicitEpochs ? 1 : 0) + batchFraction) : NaN;
        return this.result(step, plan.implicitEpochs && !Number.isNaN(batchFraction) ? epoch + batchFraction : frac, 'step', false, true);
      }
      return this.result(epoch, epoch, 'epoch', false, true);
    }
    // Nothing on the line: the current position.
    if (this.stepOnly && !Number.isNaN(this.step)) return this.result(this.step, NaN, 'step', false);
    if (!Number.isNaN(this.epoch)) {
      if (this.fractional && !Number.isNaN(this.step)) return this.result(this.step, this.epoch, 'step', false);
      return this.result(this.epoch, this.epoch, 'epoch', false);
    }
    // Nothing anywhere: records are numbered in order; a template seen again starts the next number.
    if (this.ordinal < 0 || this.ordinalSeen.has(templateId)) {
      this.ordinal++;
      this.ordinalSeen.clear();
    }
    this.ordinalSeen.add(templateId);
    return this.result(this.ordinal, NaN, 'epoch', true);
  }

  private startRun(line: number): void {
    this.run++;
    this.restarts.push(line);
    this.epoch = NaN;
    this.step = NaN;
    this.stepOnly = false;
    this.fractional = false;
    this.ordinal = -1;
    this.ordinalSeen.clear();
    this.perTemplate.clear();
    this.batchState.clear();
  }

  get runs(): number {
    return this.run + 1;
  }
}
