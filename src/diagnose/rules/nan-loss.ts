/** nan_loss: a loss that became NaN or ±Infinity. Whatever came after it is not training. */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';

export const nanLossRule: Rule = {
  id: 'nan_loss',
  area: 'convergence',
  check({ view }) {
    const losses = view.all.filter((c) => c.key === 'loss');
    if (losses.length === 0) return unknownItem(this, 'No loss is logged', 'Log the training loss (and val_loss) to check for NaN/Inf.');
    const bad = losses.filter((c) => c.nonFinite !== null).sort((a, b) => order(a) - order(b));
    if (bad.length === 0) {
      return itemOf(this, 'pass', 'Every logged loss value is finite', '', { checked: losses.map((c) => c.name) });
    }
    const first = bad[0];
    const nf = first.nonFinite!;
    const when = Number.isFinite(nf.firstEpoch) ? `epoch ${nf.firstEpoch}` : `step ${nf.firstStep}`;
    const fromStart = nf.finiteBefore === 0;
    return itemOf(
      this,
      'fail',
      fromStart ? `${first.name} is ${nf.firstValue} from the first logged value` : `${first.name} became ${nf.firstValue} at ${when}`,
      fromStart
        ? 'The loss is NaN from the start: check the inputs and labels for NaN/Inf, the loss for log(0) or division by zero, and lower the learning rate (clip gradients).'
        : 'Lower the learning rate or add gradient clipping, check for log(0)/division by zero in the loss, and use TerminateOnNaN so a run stops instead of burning time.',
      {
        series: bad.map((c) => c.name),
        firstStep: nf.firstStep,
        firstEpoch: Number.isFinite(nf.firstEpoch) ? nf.firstEpoch : null,
        nonFinitePoints: nf.count,
        shareNonFinite: Number((nf.count / first.points).toFixed(3)),
        finiteBefore: nf.finiteBefore,
      },
      [{ series: first.name, step: nf.firstStep, label: `${nf.firstValue} loss`, kind: 'line' }],
    );
  },
};

function order(c: Curve): number {
  return (c.split === 'train' ? 0 : 1) * 1e15 + (c.nonFinite?.firstStep ?? 0);
}
