/** Verdict item ids that can trigger a ping (DESIGN.md's stable ids). */
export const ALERTABLE_EVENTS: readonly string[] = [
  'nan_loss', 'divergence', 'loss_spikes', 'oscillation', 'lr_too_high', 'lr_too_low', 'slow_convergence', 'plateau',
  'stuck_at_chance', 'train_loss_rising', 'not_converged', 'overfitting', 'generalization_gap', 'underfitting',
  'noisy_validation', 'val_better_than_train', 'early_stopping_missing', 'no_validation', 'unshuffled_data',
  'bad_initial_loss', 'exploding_gradients', 'vanishing_gradients', 'dead_relu', 'saturation', 'class_imbalance',
  'duplicates', 'leakage', 'label_conflicts', 'label_noise', 'unnormalized_inputs', 'too_little_data', 'model_too_large',
];

/** "divergence, nan_loss overfitting" → ids; unknown ids are returned separately so the face can name them. */
export function parseAlertEvents(text: string): { events: string[]; unknown: string[] } {
  const ids = text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const known = new Set(ALERTABLE_EVENTS);
  return { events: [...new Set(ids.filter((id) => known.has(id)))], unknown: ids.filter((id) => !known.has(id)) };
}
