/**
 * One run, one story. Rules judge independently, so a single cause often trips several of them: a loss that went NaN
 * at epoch 3 also "plateaus" and shows a "generalization gap" in what is left of its curves; an overfitting run is also
 * one early stopping would have cut short. Listing every consequence beside its cause sends the user to the wrong
 * knobs, so a finding that explains another takes it over: the explained item keeps its evidence but passes, with
 * `explainedBy` naming the finding that covers it and its marks dropped (the chart tells the story once).
 *
 * The table is the corpus' (bench/corpus/README.md, "Subsumption"): its labels are confirmed with the same rule.
 */
import type { VerdictItem } from '../domain/verdict.ts';

/** Curve findings a NaN/Inf loss makes meaningless (what is left of the curves is not training). */
const AFTER_NAN = [
  'divergence', 'lr_too_high', 'oscillation', 'loss_spikes', 'lr_too_low', 'not_converged', 'slow_convergence', 'plateau',
  'underfitting', 'stuck_at_chance', 'train_loss_rising', 'overfitting', 'generalization_gap', 'noisy_validation',
  'val_better_than_train', 'early_stopping_missing', 'label_noise',
] as const;

/** Finding → the findings it explains. */
export const EXPLAINS: Readonly<Record<string, readonly string[]>> = {
  nan_loss: AFTER_NAN,
  divergence: ['train_loss_rising', 'lr_too_high', 'not_converged', 'plateau', 'overfitting', 'generalization_gap', 'early_stopping_missing', 'stuck_at_chance', 'oscillation', 'underfitting', 'loss_spikes'],
  // A rate that overshot is not also too low, and "give it more epochs" is not its fix: the slow fall after a blow-up
  // is its aftermath.
  lr_too_high: ['stuck_at_chance', 'plateau', 'underfitting', 'slow_convergence', 'oscillation', 'lr_too_low', 'not_converged'],
  // Batches in a fixed order make every curve follow the order: nothing about convergence reads true until shuffled.
  unshuffled_data: ['train_loss_rising', 'divergence', 'loss_spikes', 'oscillation', 'noisy_validation', 'lr_too_low', 'not_converged', 'slow_convergence', 'plateau', 'generalization_gap', 'val_better_than_train', 'bad_initial_loss', 'label_noise', 'underfitting'],
  stuck_at_chance: ['plateau', 'underfitting', 'slow_convergence'],
  underfitting: ['plateau', 'not_converged', 'slow_convergence'],
  lr_too_low: ['not_converged', 'slow_convergence'],
  label_noise: ['val_better_than_train', 'overfitting', 'generalization_gap', 'underfitting'],
  overfitting: ['early_stopping_missing', 'generalization_gap'],
  // A validation curve the optimiser throws around says nothing reliable about overfitting or when to stop.
  oscillation: ['noisy_validation', 'loss_spikes', 'overfitting', 'early_stopping_missing', 'generalization_gap', 'underfitting', 'plateau'],
};

/** Order in which explanations are applied: a finding already explained away explains nothing further. */
export const PRECEDENCE = ['nan_loss', 'divergence', 'lr_too_high', 'unshuffled_data', 'stuck_at_chance', 'underfitting', 'lr_too_low', 'label_noise', 'oscillation', 'overfitting'] as const;

const flagged = (i: VerdictItem) => i.status === 'fail' || i.status === 'warn';

/** The items with every explained finding folded into the finding that explains it. Pure; order kept. */
export function tellOneStory(items: VerdictItem[]): VerdictItem[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const explainedBy = new Map<string, string>();
  for (const cause of PRECEDENCE) {
    const c = byId.get(cause);
    if (!c || !flagged(c) || explainedBy.has(cause)) continue;
    for (const id of EXPLAINS[cause] ?? []) {
      const e = byId.get(id);
      if (e && flagged(e) && !explainedBy.has(id)) explainedBy.set(id, cause);
    }
  }
  // After a NaN/Inf loss a clean bill is as meaningless as a finding: "✅ training kept improving" on a run that went
  // NaN at epoch 3 reads as reassurance. Those checks say they were not judged instead.
  const nan = byId.get('nan_loss');
  const notJudged = new Set<string>(nan?.status === 'fail' ? AFTER_NAN.filter((id) => byId.get(id)?.status === 'pass') : []);
  if (explainedBy.size === 0 && notJudged.size === 0) return items;
  return items.map((i) => {
    if (notJudged.has(i.id)) {
      return { ...i, status: 'unknown', title: `Not judged: the loss went NaN/Inf (see nan_loss), so what is left of the curves is not training`, fix: nan!.fix, evidence: { ...i.evidence, notJudgedBecause: 'nan_loss', statusBefore: 'pass' }, marks: [] };
    }
    const by = explainedBy.get(i.id);
    if (!by) return i;
    const cause = byId.get(by)!;
    return {
      ...i,
      status: 'pass',
      title: `Part of the ${by} finding: ${i.title.charAt(0).toLowerCase()}${i.title.slice(1)}`,
      fix: cause.fix,
      evidence: { ...i.evidence, explainedBy: by, statusBefore: i.status },
      marks: [],
      explainedBy: by,
    };
  });
}
