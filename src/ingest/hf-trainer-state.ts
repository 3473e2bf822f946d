import type { Cadence, RunLog } from '../domain/run.ts';
import { ColumnBuffer } from './column-buffer.ts';
import { IngestError } from './ingest-error.ts';
import { parseJsonLenient } from './json-lenient.ts';
import { toMetricValue } from './metric-value.ts';
import type { FormatParser } from './parser.ts';
import { isPlainObject } from './record-collector.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

const SNIFF_CHARS = 8 * 1024;
/** Fields of a log entry that are bookkeeping, not curves: counters, timings, throughput, FLOPs. */
const NOT_A_METRIC = /^(epoch|step|total_flos|num_input_tokens_seen|.*_runtime|.*_per_second|(eval_|train_|test_)?num_tokens)$/;
const KEY_TRAIN = 1;
const KEY_EVAL = 2;
const KEY_SKIP = 3;
/** An epoch value within this of an integer counts as an epoch boundary (HF rounds `epoch` to 2 decimals in old versions). */
const EPOCH_BOUNDARY_TOLERANCE = 0.02;

/**
 * Hugging Face `Trainer` state (`trainer_state.json`). `log_history` mixes training entries (`loss`, `learning_rate`,
 * `grad_norm` every `logging_steps`) and evaluation entries (`eval_*` every `eval_steps` or per epoch), and ends with
 * a summary entry (`train_runtime`, `train_loss` averaged over the run) that is not a point of any curve.
 * Steps are the global step; `epoch` is kept unless it goes backwards (streaming datasets restart it).
 *
 * Cadence: evaluation entries, and training entries alike, are marked per epoch only when they fall once on each
 * epoch boundary (`eval_strategy="epoch"`, `logging_strategy="epoch"`: the loss is then the epoch's mean), because
 * then "epoch N" is what the numbers mean (patience and onset epochs read naturally); entries every N steps stay per
 * step even when N happens to be near an epoch.
 */
export const hfTrainerStateParser: FormatParser = {
  format: 'hf_trainer_state',

  sniff(text: string): boolean {
    const head = text.slice(0, SNIFF_CHARS);
    if (!/^\uFEFF?\s*\{/.test(head)) return false;
    if (/"log_history"\s*:\s*\[/.test(head)) return true;
    return /"global_step"\s*:/.test(head) && /"(is_world_process_zero|best_model_checkpoint|is_hyper_param_search)"\s*:/.test(head);
  },

  parse(text: string, fileName: string): RunLog[] {
    return trainerStateRuns(parseJsonLenient(text, fileName), fileName);
  },
};

/** A parsed trainer state (from JSON, or `{log_history: …}` around a printed `trainer.state.log_history`) → its run. */
export function trainerStateRuns(root: unknown, fileName: string): RunLog[] {
  if (!isPlainObject(root)) throw new IngestError({ file: fileName, path: '$', reason: 'expected a trainer_state object with a "log_history" array' });
  const history = root.log_history;
  if (!Array.isArray(history)) {
    throw new IngestError({ file: fileName, path: '$.log_history', reason: `expected an array of log entries, found ${history === undefined ? 'nothing' : typeof history}` });
  }
  const notes: string[] = [];
  const meta: Record<string, unknown> = { framework: 'transformers' };
  for (const [k, v] of Object.entries(root)) if (k !== 'log_history') meta[k] = v;

  const classify = keyClassifier();
  // One pass, no per-entry allocations: 100,000-entry histories are common for long runs.
  const columns = new Map<string, ColumnBuffer>(); // raw name → points, in first-seen order
  const names: string[] = [];
  const values: number[] = [];
  const evalSteps = new Set<number>();
  const evalSignatures = new Set<string>();
  const evalEpochs: number[] = [];
  const trainEpochs: number[] = [];
  let duplicates = 0;
  let epochsUsable = true;
  let lastEpoch = -Infinity;
  for (let index = 0; index < history.length; index++) {
    const raw: unknown = history[index];
    if (!isPlainObject(raw)) throw new IngestError({ file: fileName, path: `$.log_history[${index}]`, reason: 'expected a log entry object' });
    if (raw.train_runtime !== undefined || raw.train_samples_per_second !== undefined || raw.train_steps_per_second !== undefined) {
      meta.summary = { ...raw };
      continue;
    }
    const step = toMetricValue(raw.step);
    if (step === undefined || !Number.isFinite(step)) {
      throw new IngestError({
        file: fileName,
        path: `$.log_history[${index}].step`,
        reason: `expected the global step as a number, found ${JSON.stringify(raw.step) ?? 'nothing'}`,
      });
    }
    const e = toMetricValue(raw.epoch);
    const epoch = e !== undefined && Number.isFinite(e) ? e : NaN;
    let n = 0;
    let isEval = false;
    for (const k in raw) {
      const kind = classify(k);
      if (kind === KEY_SKIP) continue;
      const value = toMetricValue(raw[k]);
      if (value === undefined) continue; // null or text: nothing measured
      names[n] = k;
      values[n] = value;
      n++;
      if (kind === KEY_EVAL) isEval = true;
    }
    if (n === 0) continue;
    if (isEval) {
      // Trainer.evaluate() after training, or a callback, can log the last evaluation again at the same step. Several
      // eval datasets log separate entries at one step (eval_a_loss, eval_b_loss): same step, different keys, kept.
      const signature = `${step}|${names.slice(0, n).join(',')}`;
      if (evalSignatures.has(signature)) {
        duplicates++;
        continue;
      }
      evalSignatures.add(signature);
      if (!evalSteps.has(step)) evalEpochs.push(epoch);
      evalSteps.add(step);
    } else trainEpochs.push(epoch);
    if (!Number.isNaN(epoch)) {
      if (epoch < lastEpoch) epochsUsable = false;
      lastEpoch = epoch;
    }
    for (let i = 0; i < n; i++) {
      let col = columns.get(names[i]!);
      if (!col) {
        col = new ColumnBuffer(Math.min(1024, history.length - index));
        columns.set(names[i]!, col);
      }
      col.push(step, values[i]!, epoch);
    }
  }
  if (meta.summary !== undefined) notes.push('the end-of-training summary entry (train_runtime, train_loss…) is kept in meta.summary, not plotted');
  if (duplicates > 0) notes.push(`${duplicates} repeated evaluation entr${duplicates === 1 ? 'y' : 'ies'} at an already evaluated step skipped`);
  if (!epochsUsable) notes.push('the "epoch" field goes backwards (a streaming or restarted dataset): epochs dropped, steps kept');
  if (columns.size === 0) {
    throw new IngestError({ file: fileName, path: '$.log_history', reason: 'no metrics logged yet: expected entries with "loss" or "eval_*" values' });
  }
  const builder = new SeriesBuilder();
  for (const [name, col] of columns) col.flushInto(builder, name);
  const evalCadence: Cadence = onceEachEpoch(evalEpochs) ? 'epoch' : 'step';
  const trainCadence: Cadence = onceEachEpoch(trainEpochs) ? 'epoch' : 'step';
  const series = builder.build('step', notes).map((s) => ({
    ...s,
    cadence: s.name.startsWith('eval_') ? evalCadence : trainCadence,
    epochs: epochsUsable ? s.epochs : null,
  }));
  return [{ name: runNameFromFileName(fileName), format: 'hf_trainer_state', series, notes, meta }];
}

/** True when there are at least two entries, each on a distinct whole epoch, one epoch apart. */
function onceEachEpoch(epochs: number[]): boolean {
  if (epochs.length < 2) return false;
  let prev: number | undefined;
  for (const epoch of epochs) {
    const whole = Math.round(epoch);
    if (!Number.isFinite(epoch) || Math.abs(epoch - whole) > EPOCH_BOUNDARY_TOLERANCE) return false;
    if (prev !== undefined && whole !== prev + 1) return false;
    prev = whole;
  }
  return true;
}

/** Classifies keys, each distinct key once (a history has a handful of keys repeated 100,000 times). */
function keyClassifier(): (key: string) => number {
  const kinds = new Map<string, number>();
  return (key) => {
    let kind = kinds.get(key);
    if (kind === undefined) {
      kind = NOT_A_METRIC.test(key) ? KEY_SKIP : key.startsWith('eval_') ? KEY_EVAL : KEY_TRAIN;
      kinds.set(key, kind);
    }
    return kind;
  };
}
