/**
 * The in-memory copy of a pushed run's series, grown in place (amortised doubling) so each batch costs its own
 * size, not the run's: the store is written once per batch and never read back while the run is live.
 */
import type { Cadence, Series } from '../domain/run.ts';
import { normaliseMetricName } from '../ingest/metric-names.ts';

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

  constructor(
    readonly name: string,
    readonly cadence: Cadence,
  ) {}

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
    const g = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.steps = g(this.steps);
    this.epochs = g(this.epochs);
    this.wallTimes = g(this.wallTimes);
    this.values = g(this.values);
  }

  /** Views (not copies) of the first `from..n` points. */
  view(from = 0): Series {
    const m = normaliseMetricName(this.name);
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
}

export interface AppendOutcome {
  /** Only the newly accepted points, per series, ready for RunStore.appendPoints. */
  added: Series[];
  accepted: number;
  duplicates: number;
  /** A series' first NaN/±Inf, or a new epoch reached: worth judging right away rather than on the timer. */
  alertWorthy: boolean;
}

export class LiveSeries {
  private readonly byName = new Map<string, GrowingSeries>();
  points = 0;
  maxEpoch = -Infinity;

  /** Rebuilds the state of a run already stored (after a restart). */
  static fromStored(series: Series[]): LiveSeries {
    const live = new LiveSeries();
    for (const s of series) {
      const g = new GrowingSeries(s.name, s.cadence);
      for (let i = 0; i < s.values.length; i++) {
        const e = s.epochs ? s.epochs[i]! : NaN;
        g.push(s.steps[i]!, e, s.wallTimes ? s.wallTimes[i]! : NaN, s.values[i]!);
        if (!Number.isFinite(s.values[i]!)) g.hasNonFinite = true;
        if (e > live.maxEpoch) live.maxEpoch = e;
      }
      live.byName.set(s.name, g);
      live.points += s.values.length;
    }
    return live;
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
          g = new GrowingSeries(name, p.epoch !== undefined && p.step === p.epoch ? 'epoch' : 'step');
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
    return { added: [...starts].map(([g, from]) => g.view(from)), accepted, duplicates, alertWorthy };
  }

  /** Every series as views over the live buffers: valid until the next append. */
  series(): Series[] {
    return [...this.byName.values()].map((g) => g.view());
  }
}
