import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/index.ts';
import { makeRun, decay, turnsUp } from '../support/synthetic-runs.ts';

const STABLE_IDS = [
  'nan_loss', 'divergence', 'loss_spikes', 'oscillation', 'lr_too_high', 'lr_too_low', 'slow_convergence', 'plateau', 'stuck_at_chance',
  'train_loss_rising', 'not_converged', 'overfitting', 'generalization_gap', 'underfitting', 'noisy_validation', 'val_better_than_train',
  'early_stopping_missing', 'no_validation', 'unshuffled_data', 'bad_initial_loss', 'exploding_gradients', 'vanishing_gradients', 'dead_relu',
  'saturation', 'class_imbalance', 'duplicates', 'leakage', 'label_conflicts', 'label_noise', 'unnormalized_inputs', 'too_little_data', 'model_too_large',
];
const AREA_ORDER = ['data', 'architecture', 'training', 'generalization', 'convergence'];

describe('diagnose', () => {
  const run = makeRun({ epochs: 30, stepsPerEpoch: 20, train: decay(1, 0.05, 6), val: turnsUp(1.1, 0.3, 4, 12, 0.04), trainAcc: (e) => 0.99 - 0.4 * Math.exp(-e / 5), valAcc: (e) => 0.8 - 0.3 * Math.exp(-e / 3) });
  const v = diagnose(run);

  it('answers every stable id exactly once, in checklist order', () => {
    expect(v.items.map((i) => i.id).sort()).toEqual([...STABLE_IDS].sort());
    const areas = v.items.map((i) => AREA_ORDER.indexOf(i.area));
    expect(areas.every((a, i) => a >= 0 && (i === 0 || a >= areas[i - 1]))).toBe(true);
  });

  it('takes the worst item as the status and counts points and epochs', () => {
    expect(v.status).toBe('fail');
    expect(v.run).toMatchObject({ id: 'synthetic', points: 30 * 20 + 3 * 30, epochs: 30 });
  });

  it('says what data is needed on every unknown item, and never errors internally', () => {
    for (const item of v.items) {
      if (item.status === 'unknown') expect(item.fix.length).toBeGreaterThan(10);
      expect(item.evidence.internalError).toBeUndefined();
    }
  });

  it('judges the same shape alike at a 1e-4 and a 25 scale', () => {
    const spec = { epochs: 30, stepsPerEpoch: 20, train: decay(1, 0.05, 6), val: turnsUp(1.1, 0.3, 4, 12, 0.04), seed: 7 };
    const small = diagnose(makeRun({ ...spec, scale: 1e-4 }));
    const large = diagnose(makeRun({ ...spec, scale: 25 }));
    expect(small.items.map((i) => `${i.id}:${i.status}`)).toEqual(large.items.map((i) => `${i.id}:${i.status}`));
  });

  it('returns a verdict (no throw) for an empty run and for an all-NaN run', () => {
    expect(diagnose({ id: 'e', name: 'e', format: 'jsonl', series: [] }).items).toHaveLength(STABLE_IDS.length);
    const nan = diagnose(makeRun({ epochs: 5, stepsPerEpoch: 10, train: () => NaN, val: () => NaN }));
    expect(nan.items.find((i) => i.id === 'nan_loss')?.status).toBe('fail');
    expect(nan.items.every((i) => i.evidence.internalError === undefined)).toBe(true);
  });
});
