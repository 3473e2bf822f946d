/**
 * plateau: the run stopped making progress early and had made little before. A curve stalled at a high level is
 * not a plateau while another curve (the validation accuracy under label smoothing, say) still improves.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';
import { findStall, type Stall } from './plateau-analysis.ts';
import { findOverfitting } from './overfitting.ts';
import { fmt, whenAt } from './shared.ts';

export const plateauRule: Rule = {
  id: 'plateau',
  area: 'convergence',
  check({ view }) {
    const curves = [view.valLoss, view.valMetric, view.trainLoss, view.trainMetric].filter((c): c is Curve => !!c && c.ts.length >= 5);
    if (curves.length === 0) return unknownItem(this, 'Too few points to see a plateau', 'Log the loss (and val_loss) at least 5 times.');
    const stalls = new Map<Curve, Stall | null>(curves.map((c) => [c, findStall(c)]));
    const improving = curves.filter((c) => !stalls.get(c));
    const flat = curves.map((c) => stalls.get(c)).find((s): s is Stall => !!s && s.smallProgress && s.flat);
    if (!flat || improving.length > 0 || findOverfitting(view)) {
      const why = improving.length ? `${improving.map((c) => c.name).join(', ')} still improving` : 'no curve stalled without progress';
      return itemOf(this, 'pass', `No plateau: ${why}`, '', { improving: improving.map((c) => c.name) });
    }
    const c = flat.curve;
    const from = whenAt(c, flat.from);
    const flatStall = (c: Curve | null) => { const s = c ? stalls.get(c) : null; return !!s && s.smallProgress && s.flat; };
    const trainFlat = flatStall(view.trainLoss) || flatStall(view.trainMetric);
    const where = from.epoch !== undefined ? `epoch ${from.epoch}` : `step ${from.step}`;
    return itemOf(
      this,
      trainFlat ? 'fail' : 'warn',
      `${c.name} stalls at ${fmt(c.s[c.s.length - 1])} from ${where} (${Math.round(flat.share * 100)} % of the run) with little progress before`,
      trainFlat
        ? 'The model is not learning: check the learning rate (try 10× up and down), the labels and the loss/output-layer pairing, then capacity.'
        : 'Validation stopped moving: try a learning-rate schedule (reduce on plateau), more capacity, or check the validation data.',
      { series: c.name, fromStep: from.step, fromEpoch: from.epoch ?? null, shareOfRun: Number(flat.share.toFixed(2)), level: Number(c.s[c.s.length - 1].toPrecision(4)), stalled: curves.filter((x) => stalls.get(x)).map((x) => x.name) },
      [{ series: c.name, step: from.step, toStep: Math.round(c.x[c.x.length - 1]), label: 'plateau', kind: 'band' }],
    );
  },
};
