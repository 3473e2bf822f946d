/**
 * The plain name of each checklist item, as a practitioner would say it: every face leads an item with this name
 * and then the item's one-line finding (its title). Ids stay the machine contract (DESIGN.md); names are for people
 * and may be reworded. Pure data.
 */
export const ITEM_NAMES: Readonly<Record<string, string>> = {
  nan_loss: 'NaN loss',
  divergence: 'Divergence',
  loss_spikes: 'Loss spikes',
  oscillation: 'Oscillating loss',
  lr_too_high: 'Learning rate too high',
  lr_too_low: 'Learning rate too low',
  slow_convergence: 'Slow convergence',
  plateau: 'Plateau',
  stuck_at_chance: 'Stuck at chance',
  train_loss_rising: 'Training loss rising',
  not_converged: 'Not converged',
  overfitting: 'Overfitting',
  generalization_gap: 'Generalization gap',
  underfitting: 'Underfitting',
  noisy_validation: 'Noisy validation',
  val_better_than_train: 'Validation better than training',
  early_stopping_missing: 'No early stopping',
  no_validation: 'No validation',
  unshuffled_data: 'Unshuffled data',
  bad_initial_loss: 'Bad initial loss',
  exploding_gradients: 'Exploding gradients',
  vanishing_gradients: 'Vanishing gradients',
  dead_relu: 'Dead ReLUs',
  saturation: 'Saturated activations',
  class_imbalance: 'Class imbalance',
  duplicates: 'Duplicate samples',
  leakage: 'Train/validation leakage',
  label_conflicts: 'Conflicting labels',
  label_noise: 'Noisy labels',
  unnormalized_inputs: 'Unnormalized inputs',
  too_little_data: 'Too little data',
  model_too_large: 'Model too large',
  // Findings about a run's state, not engine rules (src/app/stalled-item.ts, the digest's crashed runs).
  stalled: 'Stalled',
  crashed: 'Crashed',
};

/** The plain name of an item id; an id without one is spelled out ("some_new_check" → "Some new check"). */
export function itemName(id: string): string {
  const known = ITEM_NAMES[id];
  if (known) return known;
  const words = id.replace(/_/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : id;
}
