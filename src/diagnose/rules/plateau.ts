/**
 * plateau: training made real progress, then stalled for most of the run at a level it had not converged to (the
 * rate decayed to nothing, a saddle), and validation stalled with it. A stall from the very start is underfitting; a
 * stall at a level orders of magnitude below the start is convergence (plateau-analysis.ts tells them apart).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { stalledTraining } from './plateau-analysis.ts';
import { findOverfitting } from './overfitting.ts';
import { fmt, levels, meaningful, whenAt } from './shared.ts';
import { indexAtStep, type Curve, type RunView } from '../signals/view.ts';

/** The learning rate counts as decayed to nothing at or below this share of its starting value… */
export const FROZEN_LR_SHARE = 1e-3;
/** …and a run that spent at least this share of its steps there, with its loss no better at the end, wasted them. */
export const FROZEN_SHARE = 0.5;
/** The descent it cut short: over the last PRE_FREEZE_SHARE of the evaluations before the freeze, by PRE_FREEZE_SIGMAS noise units. */
export const PRE_FREEZE_SHARE = 0.1;
export const PRE_FREEZE_SIGMAS = 3;

export interface FrozenByRate {
  /** Step where the rate fell to FROZEN_LR_SHARE of its start and stayed there. */
  step: number;
  share: number;
  lrFrom: number;
  lrTo: number;
  curve: Curve;
}

/**
 * A rate decayed to nothing for most of the run (a step schedule with a wrong milestone, a decay by the step count
 * meant per epoch): the weights stop moving, so the loss freezes at whatever level it had reached, good or not. It is
 * a plateau by its cause, whatever the level: the epochs after it are wasted.
 */
export function frozenByRate(view: RunView): FrozenByRate | null {
  const lr = view.lr?.source;
  const c = [view.valLoss, view.trainLoss].find((x) => !!x && x.ts.length >= 5) ?? null;
  if (!lr || !c || lr.values.length < 3) return null;
  let start = 0;
  for (let i = 0; i < Math.min(3, lr.values.length); i++) if (lr.values[i]! > start) start = lr.values[i]!;
  if (!(start > 0)) return null;
  // The last step from which every logged rate stays at or below the bar.
  let k = lr.values.length;
  while (k > 0 && lr.values[k - 1]! <= FROZEN_LR_SHARE * start) k--;
  if (k >= lr.values.length || k === 0) return null;
  const step = lr.steps[k]!;
  const first = c.x[0]!;
  const last = c.x[c.x.length - 1]!;
  const share = last > first ? (last - Math.max(step, first)) / (last - first) : 0;
  if (share < FROZEN_SHARE) return null;
  // Not better at the end than where the rate froze it (beyond noise): the loss stopped with the rate.
  const i = indexAtStep(c, step);
  if (i >= c.ts.length - 2) return null;
  const atFreeze = c.ts[i]!;
  if (levels(c).tail < atFreeze - meaningful(c, 2)) return null;
  // …and the freeze cut short a descent: the loss was still falling beyond its noise just before. A run whose rate
  // was stepped down after it had settled (a decay that outlived its use) is early_stopping_missing's story, not this.
  const w = Math.max(2, Math.round(PRE_FREEZE_SHARE * c.ts.length));
  if (i < w || c.ts[i - w]! - atFreeze < meaningful(c, PRE_FREEZE_SIGMAS)) return null;
  return { step, share, lrFrom: start, lrTo: lr.values[lr.values.length - 1]!, curve: c };
}

export const plateauRule: Rule = {
  id: 'plateau',
  area: 'convergence',
  check({ view }) {
    const curves = [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric].filter((c) => !!c && c.ts.length >= 5);
    if (curves.length === 0) return unknownItem(this, 'Too few points to see a plateau', 'Log the loss (and val_loss) at least 5 times.');
    const overfit = findOverfitting(view);
    const frozen = overfit ? null : frozenByRate(view);
    if (frozen) {
      const c = frozen.curve;
      const from = whenAt(c, indexAtStep(c, frozen.step));
      const where = from.epoch !== undefined ? `epoch ${from.epoch}` : `step ${from.step}`;
      return itemOf(
        this,
        'warn',
        `${c.name} froze at ${fmt(c.s[c.s.length - 1])} from ${where} (${Math.round(frozen.share * 100)} % of the run), when the learning rate fell to ${fmt(frozen.lrTo)} (from ${fmt(frozen.lrFrom)})`,
        `The learning rate decayed to nothing and training stopped there: check the schedule (a milestone or decay counted in steps instead of epochs?), keep the rate higher for longer, or use reduce-on-plateau.`,
        { series: c.name, fromStep: from.step, fromEpoch: from.epoch ?? null, shareOfRun: Number(frozen.share.toFixed(2)), level: Number(c.s[c.s.length - 1]!.toPrecision(4)), lrFrom: frozen.lrFrom, lrTo: frozen.lrTo },
        [{ series: c.name, step: from.step, toStep: Math.round(c.x[c.x.length - 1]!), label: 'plateau', kind: 'band' }],
      );
    }
    const s = stalledTraining(view);
    if (!s || s.kind !== 'plateau' || overfit) {
      return itemOf(this, 'pass', s?.kind === 'underfitting' ? 'No plateau: training made no progress at all (see underfitting)' : 'No plateau: training kept improving or converged', '', { stalled: s?.kind ?? null });
    }
    const c = s.stall.curve;
    const from = whenAt(c, s.stall.from);
    const where = from.epoch !== undefined ? `epoch ${from.epoch}` : `step ${from.step}`;
    const lr = view.lr ? view.lr.y[Math.min(view.lr.y.length - 1, Math.max(0, view.lr.y.length - 1))] : null;
    return itemOf(
      this,
      'warn',
      `${c.name} stopped improving at ${fmt(c.s[c.s.length - 1])} from ${where} (${Math.round(s.stall.share * 100)} % of the run) after falling from ${fmt(c.s[0])}`,
      lr !== null && view.lr && view.lr.y[0] > 0 && lr / view.lr.y[0] < 0.01
        ? `The learning rate had decayed to ${fmt(lr)} (from ${fmt(view.lr.y[0])}): keep it higher for longer (a later or gentler decay, or reduce-on-plateau).`
        : 'Training stopped making progress: try a higher or re-warmed learning rate (or reduce-on-plateau), check the learning-rate schedule, then capacity.',
      { series: c.name, fromStep: from.step, fromEpoch: from.epoch ?? null, shareOfRun: Number(s.stall.share.toFixed(2)), level: Number(c.s[c.s.length - 1].toPrecision(4)), progressLog: Number(s.stall.progress.toFixed(3)) },
      [{ series: c.name, step: from.step, toStep: Math.round(c.x[c.x.length - 1]), label: 'plateau', kind: 'band' }],
    );
  },
};
