import type { RunLog } from '../domain/run.ts';
import { ColumnBuffer } from './column-buffer.ts';
import { IngestError } from './ingest-error.ts';
import { parseJsonLenient } from './json-lenient.ts';
import { jsonPathKey } from './json-path.ts';
import { normaliseMetricName } from './metric-names.ts';
import { toMetricValue } from './metric-value.ts';
import { looksLikePandasFrame, pandasFrame } from './pandas-json.ts';
import type { FormatParser } from './parser.ts';
import { isPlainObject } from './record-collector.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

const SNIFF_CHARS = 8 * 1024;
/** `{"<name>": [<number>…` at the very start: Keras `json.dump(history.history)`, tfjs `{epoch: [...], …}`. */
const FIRST_VALUE_IS_NUMBER_ARRAY =
  /^\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\[\s*(?:[-+.0-9]|NaN|-?Infinity|null|"[-+.0-9eE]+"|"(?:nan|inf|-inf)"|\])/i;
/** `{… "history": {"<name>": [` near the start: tfjs `model.fit()` result, or a dict wrapping Keras' history. */
const HISTORY_OBJECT = /"history"\s*:\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\[/;
const EPOCH_KEYS = new Set(['epoch', 'epochs']);

/**
 * Keras `History.history` saved as JSON (`{"loss": [...], "val_loss": [...]}`, one value per epoch) and the tfjs
 * `model.fit()` result (`{"epoch": [0, 1, …], "history": {"loss": [...]}}`), and the same History as a DataFrame
 * pandas wrote (`to_json()`: `{"loss": {"0": …}}`, or `orient='index'`). Shorter validation arrays are read as
 * `validation_freq` when they divide the epoch count.
 */
export const kerasHistoryParser: FormatParser = {
  format: 'keras_history',

  sniff(text: string): boolean {
    const head = text.slice(0, SNIFF_CHARS);
    if (FIRST_VALUE_IS_NUMBER_ARRAY.test(head)) return true;
    return (/^\s*\{/.test(head) && HISTORY_OBJECT.test(head)) || looksLikePandasFrame(head);
  },

  parse(text: string, fileName: string): RunLog[] {
    return kerasHistoryRuns(parseJsonLenient(text, fileName), fileName);
  },
};

/**
 * A parsed History (from JSON, or a Python literal `print(history.history)` wrote) → its run. `cadence`: what one
 * list position is, an epoch (Keras) or a boosting round (LightGBM's and XGBoost's eval results: 'step').
 */
export function kerasHistoryRuns(root: unknown, fileName: string, cadence: 'epoch' | 'step' = 'epoch'): RunLog[] {
  if (!isPlainObject(root)) {
    throw new IngestError({ file: fileName, path: '$', reason: 'expected an object of per-epoch arrays such as {"loss": [...], "val_loss": [...]}' });
  }
  const notes: string[] = [];
  const meta: Record<string, unknown> = { framework: 'keras' };
  let history: Record<string, unknown> = root;
  let basePath = '$';
  let epochIndex: unknown = undefined;
  let valuePath = (key: string, i: number) => `${jsonPathKey(basePath, key)}[${i}]`;
  if (isPlainObject(root.history)) {
    history = root.history;
    basePath = '$.history';
    epochIndex = root.epoch;
    if (Array.isArray(root.epoch)) meta.framework = 'tfjs';
    for (const [k, v] of Object.entries(root)) if (k !== 'history' && k !== 'epoch') meta[k] = v;
  } else {
    const frame = pandasFrame(root);
    if (frame) {
      history = frame.columns;
      // The frame's own epoch column (`hist['epoch'] = history.epoch`) numbers the rows, else its index labels.
      if (!Object.keys(frame.columns).some((k) => EPOCH_KEYS.has(k.toLowerCase()))) epochIndex = frame.index;
      meta.layout = `pandas to_json(orient='${frame.layout}')`;
      valuePath = frame.pathOf;
    }
  }

  const columns: Array<{ name: string; values: Array<number | undefined> }> = [];
  for (const [key, value] of Object.entries(history)) {
    if (EPOCH_KEYS.has(key.toLowerCase()) && Array.isArray(value)) {
      epochIndex ??= value;
      continue;
    }
    if (!Array.isArray(value)) {
      meta[key] = value;
      continue;
    }
    if (value.length > 0 && value.every((item) => item !== null && typeof item === 'object')) {
      // Per-class vectors or confusion matrices per epoch: not a curve this tool draws.
      notes.push(`${key}: nested values per epoch (per-class vectors?) not read`);
      continue;
    }
    const values = value.map((item, i) => {
      const v = toMetricValue(item);
      if (v === undefined && item !== null) {
        throw new IngestError({
          file: fileName,
          path: valuePath(key, i),
          reason: `expected a number (one per epoch), found ${JSON.stringify(item)?.slice(0, 40) ?? String(item)}`,
        });
      }
      return v;
    });
    if (values.length > 0) columns.push({ name: key, values });
  }
  if (columns.length === 0) {
    throw new IngestError({ file: fileName, path: basePath, reason: 'no metric arrays: expected arrays of numbers per metric such as {"loss": [0.9, 0.7, ...]}' });
  }

  const epochs = Math.max(...columns.map((c) => c.values.length));
  const epochOf = readEpochIndex(epochIndex, epochs, notes);
  const builder = new SeriesBuilder();
  for (const col of columns) {
    const n = col.values.length;
    let stride = 1;
    if (n < epochs) {
      if (normaliseMetricName(col.name).split !== 'train' && epochs % n === 0) {
        stride = epochs / n;
        notes.push(`${col.name} has ${n} values for ${epochs} epochs: read as validation every ${stride} epochs (validation_freq)`);
      } else {
        notes.push(`${col.name} has ${n} values, fewer than the ${epochs} epochs of the longest series: aligned to the first ${n} epochs`);
      }
    }
    const column = new ColumnBuffer(n);
    for (let i = 0; i < n; i++) {
      const v = col.values[i];
      if (v === undefined) continue;
      const e = epochOf((i + 1) * stride - 1);
      column.push(e, v, e);
    }
    column.flushInto(builder, col.name);
  }
  const series = builder.build(cadence, notes);
  return [{ name: runNameFromFileName(fileName), format: 'keras_history', series, notes, meta }];
}

/** Maps a 0-based epoch position to the epoch number the file states (tfjs `epoch` array), else the position. */
function readEpochIndex(raw: unknown, epochs: number, notes: string[]): (i: number) => number {
  if (raw === undefined) return (i) => i;
  if (Array.isArray(raw) && raw.length === epochs) {
    const nums = raw.map((x) => toMetricValue(x));
    if (nums.every((x, i) => x !== undefined && Number.isFinite(x) && (i === 0 || x > nums[i - 1]!))) return (i) => nums[i]!;
  }
  notes.push('the "epoch" array does not match the metric arrays (length or order): epochs numbered from 0 instead');
  return (i) => i;
}

