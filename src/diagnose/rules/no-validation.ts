/** no_validation: nothing measures the model on data it was not trained on. */
import type { Rule } from './rule.ts';
import { itemOf } from './rule.ts';

export const noValidationRule: Rule = {
  id: 'no_validation',
  area: 'training',
  check({ view, context }) {
    const val = view.all.filter((c) => c.split === 'val');
    if (val.length > 0) return itemOf(this, 'pass', `Validation is logged (${val.map((c) => c.name).slice(0, 4).join(', ')})`, '', { series: val.map((c) => c.name) });
    return itemOf(
      this,
      'warn',
      'No validation metric is logged: overfitting and generalization cannot be checked',
      'Hold out a validation split (validation_split=0.2 or a dev set) and log val_loss and a validation metric every epoch.',
      { validationSplit: context.config?.validationSplit ?? null },
    );
  },
};
