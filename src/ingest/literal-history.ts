/**
 * Whole training histories printed as Python literals (or JSON) and pasted: `print(history.history)` (a dict of
 * per-epoch lists), `print(trainer.state.log_history)` (a list of log dicts), `print(evals_result)` (LightGBM's and
 * XGBoost's `{'valid_0': OrderedDict([('auc', […])])}`), a `defaultdict(list)` a loop filled, a list of per-epoch
 * records. The literal is parsed by `python-literal.ts`; its shape picks the reader that knows it (Keras History,
 * trainer_state, per-epoch records), so a printed history reads as its JSON dump would.
 *
 * `pythonLiteralParser` claims a text that is one such literal (after an optional `>>> print(…)`/`In [3]:` line and an
 * `Out[3]:` prompt); the console reader finds them inside other output (`findLiteralHistory`).
 */
import type { RunLog } from '../domain/run.ts';
import { trainerStateRuns } from './hf-trainer-state.ts';
import { IngestError } from './ingest-error.ts';
import { recordListRuns } from './json-records.ts';
import { kerasHistoryRuns } from './keras-history.ts';
import { isLossLike } from './metric-names.ts';
import { toMetricValue } from './metric-value.ts';
import type { FormatParser } from './parser.ts';
import { parsePythonLiteral, parsePythonLiteralAt } from './python-literal.ts';
import { isPlainObject } from './record-collector.ts';

/** What a parsed literal holds, as far as reading it goes. */
export type LiteralShape =
  | { kind: 'history'; history: Record<string, unknown>; cadence: 'epoch' | 'step'; notes: string[] }
  | { kind: 'trainer_state'; state: Record<string, unknown> }
  | { kind: 'records'; records: unknown[] }
  | { kind: 'one_record'; keys: string[] }
  /** A list under a measurement's name holding something other than numbers (`{'loss': ['a', 'b']}`): its first such value. */
  | { kind: 'not_numbers'; key: string; bad: unknown }
  | { kind: 'other'; what: string };

/**
 * A word of a measurement's name (`val_loss`, `binary_logloss`, `top3`, `acc@1`, `mAP50`): a literal with such a list
 * is a training history, not some other dict (a config's `milestones`, `anchor_sizes`, `lr_steps`).
 */
const MEASURE_WORD = /^(?:loss|logloss|nll|ce|bce|mse|rmse|mae|mape|acc|accuracy|auc|f1|f1_score|error|err|score|precision|recall|iou|miou|dice|bleu\d*|rouge\w*|wer|cer|ppl|perplexity|map\d*|ap\d*|top-?\d+|acc@\d+|prec@\d+|kl|psnr|ssim|reward|objective|cost)$/i;

export function isMeasureName(key: string): boolean {
  return isLossLike(key) || key.split(/[_\-/.\s]+/).some((w) => MEASURE_WORD.test(w));
}

/** A per-record field that places the record: epoch, step, iteration. */
const POSITION_NAME = /^(?:epoch|epochs|step|global_step|iter|iteration|round)$/i;

function isNumberList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => x === null || toMetricValue(x) !== undefined) && v.some((x) => toMetricValue(x) !== undefined);
}

/** An element of a history's list that is no measurement (None is one left out: a missing value, not a wrong one). */
function isNotNumber(x: unknown): boolean {
  return x !== null && toMetricValue(x) === undefined;
}

/** A value as a message shows it: a string quoted (and cut), a container by its kind. */
function describeValue(x: unknown): string {
  if (typeof x === 'string') return `'${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (Array.isArray(x)) return 'a list';
  if (isPlainObject(x)) return 'a dict';
  return String(x);
}

/** The split a LightGBM/XGBoost evaluation set's name says (`training`, `valid_1`, `validation_0`, `eval`), or null. */
function setSplit(name: string): 'train' | 'val' | 'test' | null {
  if (/^(train|training)(_?\d+)?$/i.test(name)) return 'train';
  if (/^(valid|validation|val|eval|dev)(_?\d+)?$/i.test(name)) return 'val';
  if (/^test(_?\d+)?$/i.test(name)) return 'test';
  return null;
}

/** Classifies a parsed literal. */
export function literalShape(v: unknown): LiteralShape {
  if (isPlainObject(v)) {
    if (Array.isArray(v.log_history)) return { kind: 'trainer_state', state: v };
    // scikit-learn's cross_validate() and a search's cv_results_: lists per fold or per candidate, not per epoch.
    if ('fit_time' in v && 'score_time' in v) return { kind: 'other', what: "scikit-learn's cross-validation results (one value per fold, not per epoch)" };
    if ('mean_fit_time' in v || ('params' in v && Object.keys(v).some((k) => k.startsWith('rank_test_')))) {
      return { kind: 'other', what: "a hyperparameter search's cv_results_ (one value per candidate, not per epoch)" };
    }
    if (isPlainObject(v.history) && Object.values(v.history).some(isNumberList)) return { kind: 'history', history: v, cadence: 'epoch', notes: [] };
    const entries = Object.entries(v);
    if (entries.some(([, x]) => isNumberList(x))) return { kind: 'history', history: v, cadence: 'epoch', notes: [] };
    // `{'training': {'binary_logloss': […]}, 'valid_1': {…}}`: evaluation sets, each with its metrics per round.
    const sets = entries.filter(([, x]) => isPlainObject(x) && Object.values(x).some(isNumberList));
    if (sets.length > 0 && sets.length === entries.length) {
      const history: Record<string, unknown> = {};
      const notes: string[] = [];
      const taken = new Set<string>();
      for (const [set, metrics] of sets) {
        const split = setSplit(set);
        // One set per split gets the split's prefix; a second validation set keeps its own name after the metric.
        const prefix = split && !taken.has(split) ? (split === 'train' ? 'train_' : split === 'val' ? 'val_' : 'test_') : null;
        if (split) taken.add(split);
        for (const [metric, values] of Object.entries(metrics as Record<string, unknown>)) {
          history[prefix !== null ? `${prefix}${metric}` : `${metric}_${set}`] = values;
        }
      }
      const names = sets.map(([s]) => s);
      if (names.some((n) => /^validation_\d+$/.test(n)) && !names.some((n) => setSplit(n) === 'train')) {
        notes.push(`evaluation sets ${names.join(', ')}: the first is read as the validation set (XGBoost numbers them in eval_set order; if it was the training set, its curve is labelled validation)`);
      }
      notes.unshift(`evaluation sets ${names.map((n) => `${n} → ${setSplit(n) ?? 'own name'}`).join(', ')}; one value per boosting round`);
      return { kind: 'history', history, cadence: 'step', notes };
    }
    if (entries.length > 0 && entries.every(([, x]) => toMetricValue(x) !== undefined || x === null || typeof x === 'string' || typeof x === 'boolean')) {
      return { kind: 'one_record', keys: entries.map(([k]) => k) };
    }
    const notNumbers = entries.find(([k, x]) => isMeasureName(k) && Array.isArray(x) && x.some(isNotNumber));
    if (notNumbers) return { kind: 'not_numbers', key: notNumbers[0], bad: (notNumbers[1] as unknown[]).find(isNotNumber) };
    return { kind: 'other', what: `a dict with keys ${entries.slice(0, 6).map(([k]) => `'${k}'`).join(', ')}${entries.length > 6 ? ' …' : ''}` };
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(isPlainObject)) {
      const dicts = v as Array<Record<string, unknown>>;
      // The Trainer's log entries carry the global step and either the loss, an evaluation or the run's summary.
      const hf = dicts.every((d) => 'step' in d) && dicts.some((d) => 'train_runtime' in d || Object.keys(d).some((k) => k.startsWith('eval_')) || ('loss' in d && 'learning_rate' in d));
      if (hf) return { kind: 'trainer_state', state: { log_history: dicts } };
      return { kind: 'records', records: dicts };
    }
    return { kind: 'other', what: v.length === 0 ? 'an empty list' : `a list of ${typeof v[0] === 'number' ? 'numbers' : Array.isArray(v[0]) ? 'lists' : typeof v[0]}` };
  }
  return { kind: 'other', what: v === null ? 'None' : typeof v === 'string' ? 'a string' : `a ${typeof v}` };
}

/** Whether a shape is a training history worth reading inside console output (metric-like names, two values or more). */
export function isHistoryShape(shape: LiteralShape): boolean {
  if (shape.kind === 'history') {
    const lists = (h: Record<string, unknown>) => Object.entries(h).some(([k, x]) => isMeasureName(k) && isNumberList(x) && x.length >= 2);
    return lists(shape.history) || (isPlainObject(shape.history.history) && lists(shape.history.history));
  }
  if (shape.kind === 'trainer_state') return true;
  if (shape.kind === 'records') {
    // Records of a run measure a loss, or are placed by an epoch or step and measure something.
    const numeric = (r: unknown) => Object.entries(r as Record<string, unknown>).filter(([, x]) => toMetricValue(x) !== undefined).map(([k]) => k);
    return (
      shape.records.length >= 2 &&
      shape.records.some((r) => {
        const keys = numeric(r);
        return keys.some(isLossLike) || (keys.some((k) => POSITION_NAME.test(k)) && keys.some(isMeasureName));
      })
    );
  }
  return false;
}

/** The note a run read from a literal carries first: where it was read from (`how`, as given to `runsFromLiteral`). */
export function readFromNote(how: string): string {
  return `read from ${how}`;
}

/** The runs of a parsed literal; throws IngestError saying what was expected when it holds no history. */
export function runsFromLiteral(value: unknown, fileName: string, how: string): RunLog[] {
  const shape = literalShape(value);
  let runs: RunLog[];
  switch (shape.kind) {
    case 'history':
      runs = kerasHistoryRuns(shape.history, fileName, shape.cadence);
      runs[0]!.notes.unshift(...shape.notes);
      break;
    case 'trainer_state':
      runs = trainerStateRuns(shape.state, fileName);
      break;
    case 'records':
      runs = recordListRuns(shape.records, fileName);
      break;
    case 'one_record':
      throw new IngestError({
        file: fileName,
        reason: `a single set of values (${shape.keys.slice(0, 6).join(', ')}${shape.keys.length > 6 ? ' …' : ''}), not a training history: expected per-epoch lists such as {'loss': [2.3, 1.9, …], 'val_loss': […]} or a list of per-epoch records`,
      });
    case 'not_numbers':
      throw new IngestError({
        file: fileName,
        reason: `${how}: the values under '${shape.key}' are not numbers (the first that is not: ${describeValue(shape.bad)}): expected per-epoch lists of numbers such as {'loss': [2.3, 1.9, …], 'val_loss': […]}`,
      });
    default:
      throw new IngestError({
        file: fileName,
        reason: `${how} holds ${shape.what}, not a training history: expected per-epoch lists such as {'loss': [2.3, 1.9, …], 'val_loss': […]}, a list of per-epoch records, or the Trainer's log_history`,
      });
  }
  for (const r of runs) r.notes.unshift(readFromNote(how));
  return runs;
}

/** Lines before a pasted literal that only say how it was printed: `>>> print(h.history)`, `In [3]: h.history`. */
const PROMPT_LINE = /^[ \t]*(?:>>>|In \[\d*\]:|print\s*\()[^\n]*\n/;
/** An `Out[3]:` prompt on the literal's own line. */
const OUT_PROMPT = /^[ \t]*Out\[\d*\]:[ \t]*/;
/** How a literal can start: a container, or a call that wraps one (`defaultdict(`, `OrderedDict(`). */
const LITERAL_START = /^(?:[[{]|(?:collections\.)?(?:defaultdict|OrderedDict|dict)\()/;

/** Where the literal of a pasted document starts (after prompts), or −1. */
export function literalStart(text: string): number {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let k = 0; k < 3; k++) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const m = PROMPT_LINE.exec(text.slice(at, at + 4096));
    if (!m) break;
    at += m[0].length;
  }
  while (at < text.length && /\s/.test(text[at]!)) at++;
  const out = OUT_PROMPT.exec(text.slice(at, at + 64));
  if (out) at += out[0].length;
  return LITERAL_START.test(text.slice(at, at + 32)) ? at : -1;
}

/** How much of a literal the sniffer parses before it decides on what it has seen. */
const SNIFF_PARSE = 2 * 1024 * 1024;

/**
 * A document that is one printed literal. Asked after the JSON readers (which take JSON of their shapes) and before the
 * table readers: `{'accuracy': [0.28,` split on its commas is no CSV header.
 */
export const pythonLiteralParser: FormatParser = {
  format: 'keras_history',

  sniff(text: string): boolean {
    const at = literalStart(text);
    if (at < 0) return false;
    let parsed: { value: unknown; end: number };
    try {
      parsed = parsePythonLiteralAt(text.slice(0, SNIFF_PARSE), at, 'sniff');
    } catch (err) {
      // Cut by the sniffer's prefix in the middle of a long literal: judge the start.
      if (text.length >= SNIFF_PARSE && err instanceof IngestError) return /^[^\n]{0,200}?['"][\w/.@-]+['"]\s*:\s*\[/.test(text.slice(at, at + 400));
      return false;
    }
    // Only blanks may follow: a dict per line (the Trainer's log prints) is console output for the console reader.
    if (text.slice(parsed.end).trim() !== '') return false;
    const shape = literalShape(parsed.value);
    // (A dict of single values is left to the others: a JSON one gets their message, a Python one the literal's.)
    return shape.kind === 'history' || shape.kind === 'trainer_state' || shape.kind === 'records';
  },

  parse(text: string, fileName: string): RunLog[] {
    const at = literalStart(text);
    const start = at < 0 ? 0 : at;
    const firstLine = countLinesBefore(text, start);
    const value = parsePythonLiteral(text.slice(start), fileName, { firstLine });
    return runsFromLiteral(value, fileName, 'a printed Python literal');
  },
};

function countLinesBefore(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
