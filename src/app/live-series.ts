/**
 * The in-memory copy of a pushed run's series, grown in place (amortised doubling) so each batch costs its own
 * size, not the run's: the store is written once per batch and never read back while the run is live.
 *
 * Accuracy in percent is read as file ingest reads it (looksLikePercent): a series is in percent once the largest
 * value it has sent is in (1, 100], and is then scaled to 0–1. A run decides that from its first batch when it can
 * (45.0, 52.3 → 0.45, 0.523, and every later batch is scaled too). When earlier batches were all ≤ 1 and a later one
 * shows 45, the run was in percent all along (a 1000-class run starts below 1 %): the earlier points are rescaled as
 * well, in the store in the same transaction as the batch (AppendOutcome.percent), which is what ingesting the whole
 * log as a file would have given. Refusing the batch instead would break a correct client in the middle of training.
 * Once in percent a series stays in percent. Values above 100 from the start are not accuracy in percent and are
 * kept as sent, as file ingest keeps them.
 */
import type { Cadence, Series } from '../domain/run.ts';
import { normaliseMetricName, type MetricName } from '../ingest/metric-names.ts';
import { grownTo } from '../ingest/column-buffer.ts';
import { looksLikePercent } from '../ingest/series-builder.ts';

class GrowingSeries {
  n = 0;
  steps = new Float64Array(64);
  epochs = new Float64Array(64);
  wallTimes = new Float64Array(64);
  values = new Float64Array(64);
  hasEpochs = false;
  hasTimes = false;
  /** Largest step stored: a point at or below it was already received (a retried batch). */
  lastStep = -Infinity;
  /** Whether a NaN/±Inf was stored: only the first one is news (a run stuck at NaN must not be re-judged per batch). */
  hasNonFinite = false;
  readonly metric: MetricName;
  /** Largest finite value as sent (before any percent scaling); only tracked for accuracy. */
  rawMax = -Infinity;
  /** Values are stored divided by 100 (accuracy sent in percent). */
  percent = false;

  constructor(
    readonly name: string,
    readonly cadence: Cadence,
  ) {
    this.metric = normaliseMetricName(name);
  }

  get mayBePercent(): boolean {
    return this.metric.key === 'accuracy';
  }

  /** Divides values [from, n) by `d` in place. */
  divide(from: number, d: number): void {
    for (let i = from; i < this.n; i++) this.values[i] = this.values[i]! / d;
  }

  push(step: number, epoch: number, time: number, value: number): void {
    if (this.n === this.values.length) this.grow();
    const i = this.n++;
    this.steps[i] = step;
    this.epochs[i] = epoch;
    this.wallTimes[i] = time;
    this.values[i] = value;
    if (!Number.isNaN(epoch)) this.hasEpochs = true;
    if (!Number.isNaN(time)) this.hasTimes = true;
    if (step > this.lastStep) this.lastStep = step;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    this.steps = grownTo(this.steps, cap);
    this.epochs = grownTo(this.epochs, cap);
    this.wallTimes = grownTo(this.wallTimes, cap);
    this.values = grownTo(this.values, cap);
  }

  /** Views (not copies) of the first `from..n` points. */
  view(from = 0): Series {
    const m = this.metric;
    return {
      key: m.key,
      split: m.split,
      name: this.name,
      direction: m.direction,
      cadence: this.cadence,
      steps: this.steps.subarray(from, this.n),
      epochs: this.hasEpochs ? this.epochs.subarray(from, this.n) : null,
      wallTimes: this.hasTimes ? this.wallTimes.subarray(from, this.n) : null,
      values: this.values.subarray(from, this.n),
    };
  }
}

export interface PushPoint {
  step: number;
  epoch?: number;
  /** Seconds since the Unix epoch. */
  time?: number;
  metrics: Record<string, number | null>;
  /** Per step or per epoch, for a metric first seen in this point (default: per epoch when step = epoch). */
  cadence?: Cadence;
}

export interface AppendOutcome {
  /** Only the newly accepted points, per series, ready for RunStore.appendPoints. */
  added: Series[];
  accepted: number;
  duplicates: number;
  /** A series' first NaN/±Inf, a new epoch reached, or a curve rescaled: worth judging right away rather than on the timer. */
  alertWorthy: boolean;
  /**
   * Accuracy series this batch showed to be in percent. `rescaleStored`: points of it stored before this batch were
   * sent in percent too and must be divided by 100 in the store (the batch's own points in `added` already are).
   */
  percent: { name: string; rescaleStored: boolean }[];
}

/** What an append changes in a LiveSeries, taken before it (LiveSeries.checkpoint) to undo it (LiveSeries.restore). */
export interface LiveCheckpoint {
  points: number;
  maxEpoch: number;
  series: Map<GrowingSeries, { n: number; hasEpochs: boolean; hasTimes: boolean; lastStep: number; hasNonFinite: boolean; rawMax: number; percent: boolean }>;
}

export class LiveSeries {
  private readonly byName = new Map<string, GrowingSeries>();
  points = 0;
  maxEpoch = -Infinity;

  /**
   * Rebuilds the state of a run already stored (after a restart). `percentNames`: the series stored scaled from percent
   * (the store's values are already divided by 100).
   */
  static fromStored(series: Series[], percentNames: readonly string[] = []): LiveSeries {
    const live = new LiveSeries();
    live.extendStored(series, percentNames);
    return live;
  }

  /**
   * Adds points the store holds after the ones known here (another process appended them), as they are stored: each
   * series' points continue its known ones (a series not known here starts). `percentNames` as in fromStored.
   */
  extendStored(series: Series[], percentNames: readonly string[] = []): void {
    for (const s of series) {
      let g = this.byName.get(s.name);
      if (!g) {
        g = new GrowingSeries(s.name, s.cadence);
        g.percent = percentNames.includes(s.name);
        this.byName.set(s.name, g);
      }
      const from = g.n;
      for (let i = 0; i < s.values.length; i++) {
        const e = s.epochs ? s.epochs[i]! : NaN;
        g.push(s.steps[i]!, e, s.wallTimes ? s.wallTimes[i]! : NaN, s.values[i]!);
        if (!Number.isFinite(s.values[i]!)) g.hasNonFinite = true;
        if (e > this.maxEpoch) this.maxEpoch = e;
      }
      if (g.mayBePercent) g.rawMax = Math.max(g.rawMax, finiteMax(g.values, from, g.n) * (g.percent ? 100 : 1));
      this.points += s.values.length;
    }
  }

  /** The number of points of each series. */
  counts(): Map<string, number> {
    return new Map([...this.byName].map(([name, g]) => [name, g.n]));
  }

  /** The state an append is undone to (restore). */
  checkpoint(): LiveCheckpoint {
    const series: LiveCheckpoint['series'] = new Map();
    for (const g of this.byName.values()) {
      series.set(g, { n: g.n, hasEpochs: g.hasEpochs, hasTimes: g.hasTimes, lastStep: g.lastStep, hasNonFinite: g.hasNonFinite, rawMax: g.rawMax, percent: g.percent });
    }
    return { points: this.points, maxEpoch: this.maxEpoch, series };
  }

  /**
   * Undoes the appends since `c` (a batch the store refused). False when that cannot be done exactly: an append that
   * showed a series to be in percent divided its earlier points in place; the state must then be rebuilt from the store.
   */
  restore(c: LiveCheckpoint): boolean {
    for (const [g, was] of c.series) if (g.percent && !was.percent && was.n > 0) return false;
    for (const [name, g] of this.byName) {
      const was = c.series.get(g);
      if (!was) {
        this.byName.delete(name);
        continue;
      }
      Object.assign(g, was);
    }
    this.points = c.points;
    this.maxEpoch = c.maxEpoch;
    return true;
  }

  /**
   * Adds the points not seen before. Per metric name, a point whose step is at or below the last stored step is a
   * duplicate (a retried batch, or an overlap after a client restart) and is skipped.
   */
  append(points: readonly PushPoint[]): AppendOutcome {
    const starts = new Map<GrowingSeries, number>();
    let accepted = 0;
    let duplicates = 0;
    let alertWorthy = false;
    for (const p of points) {
      const epoch = p.epoch ?? NaN;
      const time = p.time ?? NaN;
      for (const [name, raw] of Object.entries(p.metrics)) {
        // JSON has no NaN or Infinity: clients send null for a non-finite value (Python's json writes NaN, which we accept as null upstream).
        const value = raw === null ? NaN : raw;
        let g = this.byName.get(name);
        if (!g) {
          // Keras-style callbacks send one point per epoch with step = epoch; those are epoch-level curves.
          g = new GrowingSeries(name, p.cadence ?? (p.epoch !== undefined && p.step === p.epoch ? 'epoch' : 'step'));
          this.byName.set(name, g);
        }
        if (p.step <= g.lastStep) {
          duplicates++;
          continue;
        }
        if (!starts.has(g)) starts.set(g, g.n);
        g.push(p.step, epoch, time, value);
        accepted++;
        if (!Number.isFinite(value) && !g.hasNonFinite) {
          g.hasNonFinite = true;
          alertWorthy = true;
        }
      }
      if (epoch > this.maxEpoch) {
        if (Number.isFinite(this.maxEpoch) && Math.floor(epoch) > Math.floor(this.maxEpoch)) alertWorthy = true;
        this.maxEpoch = epoch;
      }
    }
    this.points += accepted;
    const percent: AppendOutcome['percent'] = [];
    for (const [g, from] of starts) {
      if (!g.mayBePercent) continue;
      const wasPercent = g.percent;
      g.rawMax = Math.max(g.rawMax, finiteMax(g.values, from, g.n));
      if (wasPercent) {
        g.divide(from, 100);
      } else if (looksLikePercent(Float64Array.of(g.rawMax))) {
        g.divide(0, 100);
        g.percent = true;
        percent.push({ name: g.name, rescaleStored: from > 0 });
        if (from > 0) alertWorthy = true;
      }
    }
    return { added: [...starts].map(([g, from]) => g.view(from)), accepted, duplicates, alertWorthy, percent };
  }

  /** Every series as views over the live buffers: valid until the next append. */
  series(): Series[] {
    return [...this.byName.values()].map((g) => g.view());
  }

  /** The names of the series stored scaled from percent. */
  percentNames(): string[] {
    return [...this.byName.values()].filter((g) => g.percent).map((g) => g.name);
  }
}

function finiteMax(values: Float64Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}
