/** A loss logged under an aggregating or cross-entropy name is the loss the checks read, unless a `loss` sits beside it. */
import { describe, expect, it } from 'vitest';
import { buildView, withStandInLoss } from '../../src/diagnose/signals/view.ts';
import { makeSeries } from '../support/synthetic-runs.ts';

const epochs = Array.from({ length: 20 }, (_, e) => e);
const series = (name: string, key: string, split: 'train' | 'val', f: (e: number) => number) =>
  makeSeries(name, key, split, 'epoch', epochs, epochs, epochs.map(f));

describe('stand-in losses', () => {
  it('reads avg_loss / avg_val_loss as the training and validation loss when no series is called loss', () => {
    const view = buildView([series('train_avg_loss', 'avg_loss', 'train', (e) => 1 / (1 + e)), series('avg_val_loss', 'avg_loss', 'val', (e) => 1.2 / (1 + e))]);
    expect(view.trainLoss?.name).toBe('train_avg_loss');
    expect(view.valLoss?.name).toBe('avg_val_loss');
    expect(view.valLoss?.direction).toBe('lower');
  });

  it('keeps loss when it is logged beside its running average', () => {
    const out = withStandInLoss([series('loss', 'loss', 'train', (e) => 1 / (1 + e)), series('loss_avg', 'loss_avg', 'train', (e) => 1.1 / (1 + e))]);
    expect(out.map((s) => s.key)).toEqual(['loss', 'loss_avg']);
  });

  it('takes a single named evaluation loss (eval_squad_loss) as the validation loss, but not one of two', () => {
    const one = buildView([series('loss', 'loss', 'train', (e) => 1 / (1 + e)), series('eval_squad_loss', 'squad_loss', 'val', (e) => 1.3 / (1 + e))]);
    expect(one.valLoss?.name).toBe('eval_squad_loss');
    const two = buildView([
      series('loss', 'loss', 'train', (e) => 1 / (1 + e)),
      series('eval_squad_loss', 'squad_loss', 'val', (e) => 1.3 / (1 + e)),
      series('eval_mnli_loss', 'mnli_loss', 'val', (e) => 1.4 / (1 + e)),
    ]);
    expect(two.valLoss).toBeNull();
  });

  it('takes a single named training loss (a loop that prints only NER loss) but not one of two loss terms', () => {
    expect(buildView([series('NER loss', 'ner_loss', 'train', (e) => 1 / (1 + e))]).trainLoss?.name).toBe('NER loss');
    expect(buildView([series('rpn_loss', 'rpn_loss', 'train', (e) => 1 / (1 + e)), series('det_loss', 'det_loss', 'train', (e) => 1 / (1 + e))]).trainLoss).toBeNull();
  });

  it('does not take two different stand-ins for one split (which one would be a guess)', () => {
    const out = withStandInLoss([series('ce', 'ce', 'train', (e) => 1 / (1 + e)), series('avg_loss', 'avg_loss', 'train', (e) => 1 / (1 + e))]);
    expect(out.some((s) => s.key === 'loss')).toBe(false);
  });
});
