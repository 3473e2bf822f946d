/**
 * no_validation: nothing measures the model on data it was not trained on.
 *
 * A training job that ran with no validation split is known to have none: a warning. A log without validation series
 * only shows that none was logged — the team may well validate elsewhere (a separate evaluation script, a test run) —
 * so it is `unknown`: the checks that need validation cannot run, and the item says what would let them.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';

export const noValidationRule: Rule = {
  id: 'no_validation',
  area: 'training',
  check({ view, context }) {
    const val = view.all.filter((c) => c.split === 'val');
    if (val.length > 0) return itemOf(this, 'pass', `Validation is logged (${val.map((c) => c.name).slice(0, 4).join(', ')})`, '', { series: val.map((c) => c.name) });
    if (context.config?.validationSplit === 0) {
      return itemOf(
        this,
        'warn',
        'Trained without a validation split: overfitting and generalization cannot be checked',
        'Hold out a validation split (validation_split=0.2 or a dev set) and log val_loss and a validation metric every epoch.',
        { validationSplit: 0 },
      );
    }
    return unknownItem(
      this,
      'No validation metric is logged: overfitting and generalization cannot be checked',
      'Log val_loss and a validation metric every epoch (hold out a validation split or a dev set if there is none).',
    );
  },
};
