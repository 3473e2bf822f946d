/**
 * How a verdict maps onto the labels of the two labelled sets `npm run eval` scores:
 * - the corpus (bench/corpus/manifest.tsv): labels are the engine's own item ids, plus `healthy`;
 * - the shared real logs (../shared/real-logs/labels.tsv): nine coarser labels, each predicted by a few items.
 * A label is predicted when one of its items is `fail` or `warn`. `healthy` is predicted when **no problem item at all**
 * fails or warns: a warning is shown to the user as a finding, so it is one.
 */
import type { Verdict } from '../../src/domain/verdict.ts';

/** Corpus labels: every curve id the engine has, and healthy (bench/corpus/README.md). */
export const CORPUS_LABELS = [
  'healthy', 'nan_loss', 'divergence', 'lr_too_high', 'oscillation', 'loss_spikes', 'unshuffled_data', 'lr_too_low',
  'not_converged', 'slow_convergence', 'plateau', 'underfitting', 'stuck_at_chance', 'train_loss_rising', 'overfitting',
  'generalization_gap', 'noisy_validation', 'val_better_than_train', 'early_stopping_missing', 'bad_initial_loss',
  'label_noise',
] as const;
export type CorpusLabel = (typeof CORPUS_LABELS)[number];

/** Real-log labels (labels.tsv) and the items that predict each. */
export const SCORED_LABELS = ['overfitting', 'divergence', 'nan', 'not_converged', 'plateau', 'underfitting', 'oscillating', 'noisy_val', 'healthy'] as const;
export type Label = (typeof SCORED_LABELS)[number];

export const LABEL_ITEMS: Record<Exclude<Label, 'healthy'>, string[]> = {
  // The human labels call a validation that peaked early and never came back, while training kept improving,
  // overfitting; the engine tells a drift up (overfitting) from a stall (early_stopping_missing).
  overfitting: ['overfitting', 'early_stopping_missing'],
  divergence: ['divergence', 'train_loss_rising'],
  nan: ['nan_loss'],
  // A rate too low is this vocabulary's not_converged (still falling at the end), told apart only by its pace.
  not_converged: ['not_converged', 'lr_too_low'],
  plateau: ['plateau', 'stuck_at_chance'],
  underfitting: ['underfitting'],
  oscillating: ['oscillation', 'loss_spikes'],
  noisy_val: ['noisy_validation'],
};

const flagged = (status: string) => status === 'fail' || status === 'warn';

/** The item ids a set of verdicts (all runs of one file) flags at fail or warn. */
export function flaggedItems(verdicts: Verdict[]): Set<string> {
  const out = new Set<string>();
  for (const v of verdicts) for (const item of v.items) if (flagged(item.status)) out.add(item.id);
  return out;
}

/** Real-log labels predicted from flagged item ids (the engine's, or a baseline's). */
export function realLogLabels(items: Set<string>): Set<Label> {
  const out = new Set<Label>();
  for (const [label, ids] of Object.entries(LABEL_ITEMS) as Array<[Exclude<Label, 'healthy'>, string[]]>) {
    if (ids.some((id) => items.has(id))) out.add(label);
  }
  if (items.size === 0) out.add('healthy');
  return out;
}

/** Corpus labels predicted from flagged item ids. Items that are not corpus labels still make a run not healthy. */
export function corpusLabels(items: Set<string>): Set<CorpusLabel> {
  const out = new Set<CorpusLabel>();
  for (const l of CORPUS_LABELS) if (l !== 'healthy' && items.has(l)) out.add(l);
  if (items.size === 0) out.add('healthy');
  return out;
}

/** Real-log labels of the engine's verdicts. */
export function predictedLabels(verdicts: Verdict[]): Set<Label> {
  return realLogLabels(flaggedItems(verdicts));
}

export interface LabelledLog {
  file: string;
  format: string;
  labels: string[];
  evidence: string;
}

export function parseLabelsTsv(text: string): LabelledLog[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return { file: c[col('file')], format: c[col('format')], labels: c[col('label')].split(',').map((s) => s.trim()).filter(Boolean), evidence: c[col('evidence')] ?? '' };
  });
}
