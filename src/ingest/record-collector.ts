import type { Cadence, Series } from '../domain/run.ts';
import { isIndexColumn, normaliseMetricName } from './metric-names.ts';
import { toMetricValue } from './metric-value.ts';
import { SeriesBuilder } from './series-builder.ts';

const STEP_FIELDS = ['global_step', 'step', 'iteration', 'iter', 'it', 'steps', 'iterations'];
const EPOCH_FIELDS = ['epoch', 'epochs'];
const WALL_TIME_FIELDS = ['timestamp', 'wall_time', 'walltime', '_timestamp'];
/** Bookkeeping fields of mmcv/mmengine/detectron2 records: timings and memory, not training curves. */
const BOOKKEEPING = /^(data_time|eta_seconds|eta|memory|max_mem|rank_data_time|iter_time|batch_time|time|mode|flag)$/i;
/** The header record mmcv/mmseg write first: environment and config text, not metrics. */
const HEADER_FIELDS = ['env_info', 'config'];
const SPLIT_MODES: Record<string, string> = { val: 'val', valid: 'val', validation: 'val', eval: 'val', dev: 'val', test: 'test' };
/** How deep nested record fields are flattened ('train' → {'loss': …} becomes 'train/loss'). */
const MAX_FLATTEN_DEPTH = 3;

/**
 * Turns a sequence of metric records (JSONL lines, a JSON list of per-epoch dicts) into series.
 * Understands mmcv/mmseg/detectron2 conventions: a `mode` field naming the split, `iter` that restarts every epoch
 * (reconstructed into a global step), validation records whose `iter` counts validation batches, a header record.
 */
export class RecordCollector {
  private readonly builder = new SeriesBuilder();
  private readonly notes: string[] = [];
  private readonly meta: Record<string, unknown> = {};
  private readonly ignored = new Set<string>();
  private records = 0;
  private sawStepField = false;
  private sawEpochField = false;
  // Global-step reconstruction for runners whose `iter` counts within the epoch.
  private stepOffset = 0;
  private lastTrainRawStep: number | undefined;
  private lastTrainEpoch: number | undefined;
  private lastTrainStep: number | undefined;
  private restarts = 0;

  /** `record` must be a plain object. */
  add(record: Record<string, unknown>): void {
    if (HEADER_FIELDS.some((f) => f in record) && !('mode' in record)) {
      for (const [k, v] of Object.entries(record)) {
        if (!HEADER_FIELDS.includes(k) && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) this.meta[k] = v;
      }
      return;
    }
    const modeRaw = typeof record.mode === 'string' ? record.mode.trim().toLowerCase() : undefined;
    const splitPrefix = modeRaw !== undefined ? SPLIT_MODES[modeRaw] : undefined;
    const isTrain = splitPrefix === undefined;

    const rawStep = firstNumber(record, STEP_FIELDS);
    const epoch = firstNumber(record, EPOCH_FIELDS);
    let wall = firstNumber(record, WALL_TIME_FIELDS);
    if (wall !== undefined && wall > 1e12) wall /= 1000; // milliseconds
    if (rawStep !== undefined) this.sawStepField = true;
    if (epoch !== undefined) this.sawEpochField = true;

    let step: number;
    if (rawStep !== undefined) {
      if (isTrain) {
        if (
          this.lastTrainRawStep !== undefined &&
          rawStep < this.lastTrainRawStep &&
          epoch !== undefined &&
          this.lastTrainEpoch !== undefined &&
          epoch > this.lastTrainEpoch
        ) {
          this.stepOffset += this.lastTrainRawStep;
          this.restarts++;
        }
        this.lastTrainRawStep = rawStep;
        this.lastTrainEpoch = epoch;
        step = rawStep + this.stepOffset;
        this.lastTrainStep = step;
      } else {
        // mmcv's epoch-based runner logs the number of validation batches as `iter`: place the evaluation at the
        // training step it followed unless its own counter is already a global step.
        step = this.lastTrainStep !== undefined && rawStep + this.stepOffset < this.lastTrainStep ? this.lastTrainStep : rawStep + this.stepOffset;
      }
    } else if (epoch !== undefined) {
      step = epoch;
    } else {
      step = this.records;
    }
    this.records++;

    for (const [name, value] of flatten(record)) {
      if (STEP_FIELDS.includes(name) || EPOCH_FIELDS.includes(name) || WALL_TIME_FIELDS.includes(name)) continue;
      if (isIndexColumn(name) || BOOKKEEPING.test(name)) continue;
      const v = toMetricValue(value);
      if (v === undefined) {
        if (value !== null) this.ignored.add(name);
        continue;
      }
      let raw = name;
      if (splitPrefix !== undefined) {
        const m = normaliseMetricName(name);
        // Validation records repeat the current learning rate; it is a training quantity already recorded.
        if (m.key === 'lr') continue;
        if (m.split === 'train') raw = `${splitPrefix}_${name}`;
      }
      this.builder.add(raw, step, v, epoch ?? NaN, wall ?? NaN);
    }
  }

  get recordCount(): number {
    return this.records;
  }

  get pointCount(): number {
    return this.builder.size;
  }

  /** Series, notes and facts gathered. Cadence: per step when records carry a step counter, else per epoch. */
  finish(): { series: Series[]; notes: string[]; meta: Record<string, unknown>; cadence: Cadence } {
    const cadence: Cadence = this.sawStepField ? 'step' : 'epoch';
    if (this.restarts > 0) {
      this.notes.push(
        `the iteration counter restarts every epoch (${this.restarts} restarts): global steps rebuilt by adding each epoch's last logged iteration`,
      );
    }
    if (this.ignored.size > 0) this.notes.push(`fields without numeric values ignored: ${[...this.ignored].slice(0, 10).join(', ')}`);
    const numbered = !this.sawStepField && !this.sawEpochField && this.records > 0;
    if (numbered) this.notes.push('records carry no epoch or step: numbered in file order from 0');
    const built = this.builder.build(cadence, this.notes);
    // Numbered records are epochs (the cadence says so): their number is the epoch as much as the x position.
    const series = numbered ? built.map((s) => ({ ...s, epochs: s.steps })) : built;
    return { series, notes: this.notes, meta: this.meta, cadence };
  }
}

function firstNumber(record: Record<string, unknown>, fields: string[]): number | undefined {
  for (const f of fields) {
    const v = toMetricValue(record[f]);
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** Leaf fields of a record, nested objects joined with '/'. Arrays are not scalar metrics and are skipped. */
function flatten(record: Record<string, unknown>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      const name = prefix ? `${prefix}/${k}` : k;
      if (v !== null && typeof v === 'object') {
        if (!Array.isArray(v) && depth < MAX_FLATTEN_DEPTH) walk(v as Record<string, unknown>, name, depth + 1);
      } else {
        out.push([name, v]);
      }
    }
  };
  walk(record, '', 0);
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
