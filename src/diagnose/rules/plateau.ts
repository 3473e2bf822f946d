/**
 * plateau: training made real progress, then stalled for most of the run at a level it had not converged to (the
 * rate decayed to nothing, a saddle), and validation stalled with it. A stall from the very start is underfitting; a
 * stall at a level orders of magnitude below the start is convergence (plateau-analysis.ts tells them apart).
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import { stalledTraining } from './plateau-analysis.ts';
import { findOverfitting } from './overfitting.ts';
import { fmt, whenAt } from './shared.ts';

export const plateauRule: Rule = {
  id: 'plateau',
  area: 'convergence',
  check({ view }) {
    const curves = [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric].filter((c) => !!c && c.ts.length >= 5);
    if (curves.length === 0) return unknownItem(this, 'Too few points to see a plateau', 'Log the loss (and val_loss) at least 5 times.');
    const s = stalledTraining(view);
    if (!s || s.kind !== 'plateau' || findOverfitting(view)) {
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
