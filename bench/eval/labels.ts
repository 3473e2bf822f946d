/** The labels of ../shared/real-logs/labels.tsv and how a verdict maps onto them (issue 3's mapping). */
import type { Verdict } from '../../src/domain/verdict.ts';

export const SCORED_LABELS = ['overfitting', 'divergence', 'nan', 'not_converged', 'plateau', 'underfitting', 'oscillating', 'noisy_val', 'healthy'] as const;
export type Label = (typeof SCORED_LABELS)[number];

/** A label is predicted when one of its items is fail or warn. */
export const LABEL_ITEMS: Record<Exclude<Label, 'healthy'>, string[]> = {
  overfitting: ['overfitting'],
  divergence: ['divergence', 'train_loss_rising'],
  nan: ['nan_loss'],
  not_converged: ['not_converged'],
  plateau: ['plateau', 'stuck_at_chance'],
  underfitting: ['underfitting'],
  oscillating: ['oscillation', 'loss_spikes'],
  noisy_val: ['noisy_validation'],
};

/** Labels a set of verdicts (all runs of one file) predicts. healthy = none of the mapped items at fail. */
export function predictedLabels(verdicts: Verdict[]): Set<Label> {
  const out = new Set<Label>();
  let anyFail = false;
  for (const [label, ids] of Object.entries(LABEL_ITEMS) as Array<[Exclude<Label, 'healthy'>, string[]]>) {
    for (const v of verdicts) {
      for (const item of v.items) {
        if (!ids.includes(item.id)) continue;
        if (item.status === 'fail' || item.status === 'warn') out.add(label);
        if (item.status === 'fail') anyFail = true;
      }
    }
  }
  if (!anyFail) out.add('healthy');
  return out;
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
