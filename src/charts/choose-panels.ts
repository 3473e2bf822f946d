import type { Series, Split } from '../domain/run.ts';
import { normaliseMetricName } from '../ingest/metric-names.ts';

export type PanelKind = 'loss' | 'metric' | 'lr';

export interface PanelChoice {
  kind: PanelKind;
  /** The normalised key drawn in this panel ('loss', 'accuracy', 'wer', 'lr'). */
  key: string;
  /** At most one series per split, train first. */
  series: Series[];
}

/** Keys that are bookkeeping, not a measure of quality: never chosen as the main metric. */
const NOT_A_METRIC = /loss|^lr$|grad_norm|time|runtime|per_second|flos|^epoch|^step|memory|throughput|momentum|^_|^out_/i;
/** Well-known quality metrics, preferred in this order when a run logs several. */
const PREFERRED = ['accuracy', 'f1', 'f1_score', 'wer', 'cer', 'bleu', 'rouge', 'rougel', 'auc', 'roc_auc', 'iou', 'miou', 'dice', 'map', 'precision', 'recall', 'mean_token_accuracy', 'perplexity'];
const SPLIT_ORDER: Record<Split, number> = { train: 0, val: 1, test: 2 };

/** Panels of a run chart, top to bottom: loss, the main quality metric, the learning rate (each when logged). */
export function choosePanels(series: readonly Series[]): PanelChoice[] {
  const panels: PanelChoice[] = [];
  const loss = onePerSplit(series.filter((s) => s.key === 'loss'));
  if (loss.length) panels.push({ kind: 'loss', key: 'loss', series: loss });
  const metricKey = chooseMetricKey(series);
  if (metricKey) panels.push({ kind: 'metric', key: metricKey, series: onePerSplit(series.filter((s) => s.key === metricKey)) });
  const lr = series.filter((s) => s.key === 'lr' && s.values.length > 1);
  if (lr.length) panels.push({ kind: 'lr', key: 'lr', series: [mostPoints(lr)] });
  return panels;
}

/** The run's main quality metric: accuracy, else a preferred metric, else the first metric with a validation split. */
export function chooseMetricKey(series: readonly Series[]): string | null {
  const candidates = series.filter((s) => !NOT_A_METRIC.test(s.key) && s.values.length > 0);
  if (candidates.length === 0) return null;
  const keys = new Set(candidates.map((s) => s.key));
  for (const k of PREFERRED) if (keys.has(k)) return k;
  const withVal = candidates.find((s) => s.split === 'val');
  return (withVal ?? candidates[0]!).key;
}

/**
 * Lightning logs a metric per step and per epoch under the same key: keep the one with more points per split
 * (the step series, drawn smoothed), so a panel has one line per split.
 */
function onePerSplit(series: readonly Series[]): Series[] {
  const bySplit = new Map<Split, Series[]>();
  for (const s of series) bySplit.set(s.split, [...(bySplit.get(s.split) ?? []), s]);
  return [...bySplit.entries()].sort((a, b) => SPLIT_ORDER[a[0]] - SPLIT_ORDER[b[0]]).map(([, list]) => mostPoints(list));
}

function mostPoints(list: readonly Series[]): Series {
  return list.reduce((best, s) => (s.values.length > best.values.length ? s : best));
}

/** The series a verdict mark names ('val_loss', 'loss', 'eval_wer', or a source name like 'Loss/train'). */
export function findMarkSeries(series: readonly Series[], name: string): Series | undefined {
  const exact = series.find((s) => s.name === name);
  if (exact) return exact;
  const m = normaliseMetricName(name);
  const same = series.filter((s) => s.key === m.key && s.split === m.split);
  if (same.length) return mostPoints(same);
  return series.find((s) => s.key === m.key);
}

/** Display name of a series: 'train loss', 'val accuracy'. */
export function seriesLabel(s: Pick<Series, 'key' | 'split'>): string {
  return `${s.split} ${s.key}`;
}
