/**
 * oscillation: the training loss, taken per epoch (so batch noise averages out), repeatedly jumps up by a large
 * factor: the optimiser bounces across the valley instead of descending it.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';

/** An epoch-over-epoch rise of at least +25 % (log) is a large up-move: an epoch average does not jump that much by chance. */
export const LARGE_UP_LOG = Math.log(1.25);
/** On a linear scale: this share of the curve's range. */
export const LARGE_UP_RANGE = 0.1;
/** Oscillating when large up-moves that are undone (a large down-move within SWING_WITHIN epochs) happen at least
 * this often (share of epochs), and at least MIN_UPS times. A steady climb is divergence, not oscillation. */
export const SWING_WITHIN = 2;
export const UP_SHARE = 0.2;
export const MIN_UPS = 2;
export const MIN_EPOCHS = 6;
/** Without epoch numbers, step-level curves are cut into this many blocks. */
export const BLOCKS = 20;

/** The curve averaged per whole epoch (or per block), on the badness scale, with the step each block ends at. */
export function perEpoch(c: Curve): { v: number[]; step: number[] } {
  const v: number[] = [];
  const step: number[] = [];
  const epochsKnown = c.epoch.every((e) => Number.isFinite(e));
  if (!c.smoothed) return { v: Array.from(c.ty), step: Array.from(c.x) };
  let key = NaN;
  let sum = 0;
  let count = 0;
  let last = 0;
  const flush = () => {
    if (count) {
      v.push(sum / count);
      step.push(last);
    }
    sum = 0;
    count = 0;
  };
  for (let i = 0; i < c.ty.length; i++) {
    const k = epochsKnown ? Math.floor(c.epoch[i] + 1e-9) : Math.floor((i * BLOCKS) / c.ty.length);
    if (k !== key) {
      flush();
      key = k;
    }
    sum += c.ty[i];
    count++;
    last = c.x[i];
  }
  flush();
  return { v, step };
}

export const oscillationRule: Rule = {
  id: 'oscillation',
  area: 'training',
  check({ view }) {
    const c = view.trainLoss;
    if (!c) return unknownItem(this, 'No training loss to check for oscillation', 'Log the training loss per epoch or step.');
    const { v, step } = perEpoch(c);
    if (v.length < MIN_EPOCHS) return unknownItem(this, `Only ${v.length} epochs of training loss`, `Log at least ${MIN_EPOCHS} epochs to see oscillation.`);
    const threshold = c.logScale ? LARGE_UP_LOG : LARGE_UP_RANGE * c.range;
    const ups: number[] = [];
    for (let i = 1; i < v.length; i++) {
      if (v[i] - v[i - 1] < threshold) continue;
      let undone = false;
      for (let j = i + 1; j <= Math.min(v.length - 1, i + SWING_WITHIN); j++) if (v[i] - v[j] >= threshold) undone = true;
      if (undone) ups.push(i);
    }
    if (ups.length < Math.max(MIN_UPS, Math.ceil(UP_SHARE * (v.length - 1)))) {
      return itemOf(this, 'pass', `${c.name} descends without bouncing`, '', { series: c.name, swings: ups.length, epochs: v.length });
    }
    return itemOf(
      this,
      'warn',
      `${c.name} bounces: ${ups.length} large up-and-down swings in ${v.length} epochs`,
      'The loss bounces instead of descending: lower the learning rate (or use a schedule), increase the batch size, add gradient clipping.',
      { series: c.name, swings: ups.length, epochs: v.length, riseThreshold: c.logScale ? '+25 %' : threshold },
      ups.slice(0, 10).map((i) => ({ series: c.name, step: Math.round(step[i]), label: 'loss jumps up', kind: 'point' as const })),
    );
  },
};
