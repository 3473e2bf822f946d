/**
 * A line that reports an evaluation names its loss as the evaluation's and often nothing else: accelerate's examples
 * print `epoch 0: {'eval_loss': 0.41, 'accuracy': 0.84}`, a loop `Epoch 3 | val_loss 0.52 | acc 88.1%`. The names
 * compute_metrics or a hand-written loop give come without a split, but on a line whose every loss is a validation
 * (or test) loss they are that evaluation's measures too: a training accuracy is printed beside a training loss.
 */
import type { Split } from '../../domain/run.ts';
import { normaliseMetricName } from '../metric-names.ts';
import type { Slot } from './value-names.ts';

/**
 * Gives the unqualified measures of an evaluation line the split of its losses, in place (`accuracy` →
 * `val_accuracy`). Nothing changes on a line with a training loss, with losses of two splits, or without a loss.
 * Only names read from the line's words: a table's columns are settled by its header (`evaluatedColumns`).
 */
export function evaluationLineSplits(slots: Slot[]): void {
  const metrics = slots.filter((s) => s.role === 'metric' && s.namedBy === 'left');
  const lossSplits = new Set<Split>();
  for (const s of metrics) {
    const m = normaliseMetricName(s.canon);
    if (m.key === 'loss') lossSplits.add(m.split);
  }
  if (lossSplits.size !== 1 || lossSplits.has('train')) return;
  const split = [...lossSplits][0]!;
  const taken = new Set(metrics.map((s) => s.canon));
  for (const s of metrics) {
    const m = normaliseMetricName(s.canon);
    if (m.split !== 'train' || m.key === 'lr' || m.key === 'grad_norm' || /^(train|training)[_\-/.]/i.test(s.canon)) continue;
    const canon = `${split}_${s.canon}`;
    if (taken.has(canon)) continue;
    s.canon = canon;
  }
}
