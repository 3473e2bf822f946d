import { describe, it, expect } from 'vitest';
import { applyFix, fixableItems } from '../../src/jobs/apply-fix.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { customJobConfig } from '../../src/app/custom-job-config.ts';
import type { Verdict, VerdictItem, ItemStatus } from '../../src/domain/verdict.ts';

const item = (id: string, status: ItemStatus = 'fail'): VerdictItem => ({ id, area: 'training', status, title: id, evidence: {}, fix: '', marks: [] });
const verdict = (...items: VerdictItem[]): Verdict => ({ run: { id: 'r', name: 'r', format: 'tfjs_job', points: 1, epochs: 1 }, status: 'fail', items });

describe('applyFix', () => {
  it('divides the learning rate by 10 once, however many symptoms of a too-high rate there are', () => {
    const c = resolveJobConfig('seed-cnn', { learningRate: 0.5 });
    const r = applyFix(c, verdict(item('divergence'), item('nan_loss'), item('loss_spikes', 'warn')));
    expect(r.config.learningRate).toBeCloseTo(0.05, 12);
    expect(r.changes).toEqual([{ itemId: 'divergence', description: 'learning rate 0.5 → 0.05' }]);
    expect(c.learningRate).toBe(0.5); // the old config is untouched
  });

  it('does not raise the rate again when the same run also looks too slow (diverged, then flat)', () => {
    const c = resolveJobConfig('blobs', { optimizer: 'sgd', learningRate: 30 });
    const r = applyFix(c, verdict(item('lr_too_high'), item('lr_too_low', 'warn'), item('divergence')));
    expect(r.config.learningRate).toBeCloseTo(3, 12);
    expect(r.changes).toEqual([{ itemId: 'lr_too_high', description: 'learning rate 30 → 3' }]);
    expect(applyFix(c, verdict(item('lr_too_low', 'warn'))).config.learningRate).toBe(1);
  });

  it('after divergence lowers the rate only, not the architecture the blow-up made look broken', () => {
    const c = resolveJobConfig('blobs', { optimizer: 'sgd', learningRate: 30 });
    const r = applyFix(c, verdict(item('vanishing_gradients'), item('dead_relu', 'warn'), item('not_converged', 'warn'), item('divergence')));
    expect(r.config).toEqual({ ...c, learningRate: r.config.learningRate });
    expect(r.changes.map((x) => x.description)).toEqual(['learning rate 30 → 3']);
    // A deliberate fault behind the symptom is still switched off.
    const faulty = resolveJobConfig('mnist-mlp', { learningRate: 5 }, { dyingRelu: true });
    expect(applyFix(faulty, verdict(item('dead_relu'), item('divergence'))).config.faults).toEqual({});
    // An isolated spike is no blow-up: a run still improving gets its epochs too.
    const spiky = applyFix(c, verdict(item('loss_spikes', 'warn'), item('not_converged', 'warn')));
    expect(spiky.changes.map((x) => x.itemId)).toEqual(['loss_spikes', 'not_converged']);
    // Without a blow-up the architecture fix applies.
    expect(applyFix(c, verdict(item('vanishing_gradients'))).config.batchNorm).toBe(true);
  });

  it('offers no change that leaves the config as it was (no_validation on a job that has a split)', () => {
    const c = resolveJobConfig('blobs');
    expect(c.validationSplit).toBeGreaterThan(0);
    expect(applyFix(c, verdict(item('no_validation')))).toEqual({ config: c, changes: [] });
    expect(applyFix({ ...c, validationSplit: 0 }, verdict(item('no_validation'))).config.validationSplit).toBe(0.2);
  });

  it('turns shuffling on and drops the sorted-labels fault', () => {
    const c = resolveJobConfig('blobs', {}, { sortedLabels: true });
    const r = applyFix(c, verdict(item('unshuffled_data')));
    expect(r.config.shuffle).toBe(true);
    expect(r.config.faults.sortedLabels).toBeUndefined();
  });

  it('adds early stopping and dropout after overfitting, more epochs when not converged', () => {
    const c = resolveJobConfig('mnist-mlp', { epochs: 5 });
    const r = applyFix(c, verdict(item('overfitting'), item('not_converged', 'warn')));
    expect(r.config.earlyStopping).toEqual({ patience: 3, restoreBestWeights: true });
    expect(r.config.dropout).toBe(0.3);
    expect(r.config.epochs).toBe(10);
    expect(r.changes.map((x) => x.itemId)).toEqual(['overfitting', 'not_converged']);
  });

  it('switches deliberate data and init faults off', () => {
    const c = resolveJobConfig('mnist-mlp', {}, { unnormalized: true, labelNoise: 0.4, dyingRelu: true, explodingInit: true, noValidation: true });
    const r = applyFix(c, verdict(item('unnormalized_inputs'), item('label_noise'), item('dead_relu'), item('bad_initial_loss'), item('no_validation')));
    expect(r.config.faults).toEqual({});
    expect(r.config.activation).toBe('leakyRelu');
    expect(r.changes).toHaveLength(5);
  });

  it('ignores passing, unknown and unfixable items', () => {
    const c = resolveJobConfig('blobs');
    const v = verdict(item('divergence', 'pass'), item('overfitting', 'unknown'), item('duplicates'));
    expect(applyFix(c, v)).toEqual({ config: c, changes: [] });
    expect(fixableItems(v)).toEqual([]);
    expect(fixableItems(verdict(item('lr_too_high', 'warn')))).toEqual(['lr_too_high']);
  });

  it('keeps the result a valid config (epochs capped, lr capped)', () => {
    const c = resolveJobConfig('blobs', { epochs: 900, learningRate: 0.5 });
    const r = applyFix(c, verdict(item('not_converged'), item('lr_too_low')));
    expect(r.config.epochs).toBe(1000);
    expect(r.config.learningRate).toBe(1);
  });

  it("on a team's own model: the rate from a range test, inputs normalised, no change of a preset's architecture", () => {
    const spec = new TextEncoder().encode(JSON.stringify({ input: [4], layers: [{ dense: { units: 8, activation: 'relu' } }, { dense: { units: 3, activation: 'softmax' } }] }));
    const c = customJobConfig({ modelBytes: spec, modelName: 'm.json', dataBytes: new TextEncoder().encode('a,label\n1,x\n2,y\n'), dataName: 'd.csv', maxBytes: 1 << 20 }, { learningRate: 2 });
    const blowUp = verdict(item('lr_too_high'), item('unnormalized_inputs', 'warn'), item('dead_relu'), item('vanishing_gradients', 'warn'));
    const r = applyFix(c, blowUp, { suggestedLearningRate: 0.004 });
    expect(r.config.learningRate).toBe(0.004);
    expect(r.config.normalizeInputs).toBe(true);
    // Activation and batch norm are the model file's: not changed, not offered.
    expect(r.config.activation).toBe(c.activation);
    expect(r.config.batchNorm).toBe(false);
    expect(r.changes.map((x) => x.description)).toEqual(["learning rate 2 → 0.004 (the range test's suggestion)", 'inputs normalised from training-split statistics (images to 0–1, features standardised)']);
    // A suggestion above the rate that blew up is no fix for it: ÷10 then; a rate too low takes a higher suggestion.
    expect(applyFix(c, blowUp, { suggestedLearningRate: 5 }).config.learningRate).toBeCloseTo(0.2, 12);
    expect(applyFix({ ...c, learningRate: 1e-5 }, verdict(item('lr_too_low', 'warn')), { suggestedLearningRate: 3e-3 }).changes).toEqual([{ itemId: 'lr_too_low', description: "learning rate 0.00001 → 0.003 (the range test's suggestion)" }]);
    // Nothing but the architecture to change: no rerun to offer.
    expect(applyFix(c, verdict(item('dead_relu', 'warn'))).changes).toEqual([]);
    // Overfitting: early stopping and dropout (before the logits layer) apply to any model.
    expect(applyFix(c, verdict(item('overfitting'))).config).toMatchObject({ earlyStopping: { patience: 3, restoreBestWeights: true }, dropout: 0.3 });
  });

  it('on a preset, whatever its optimizer: the rate from a range test, to three significant digits', () => {
    for (const optimizer of ['adam', 'sgd', 'momentum', 'rmsprop'] as const) {
      const c = resolveJobConfig('circles', { optimizer, learningRate: 4 });
      const r = applyFix(c, verdict(item('divergence'), item('nan_loss')), { suggestedLearningRate: 0.0123456 });
      expect(r.config).toEqual({ ...c, learningRate: 0.0123 });
      expect(r.changes).toEqual([{ itemId: 'divergence', description: "learning rate 4 → 0.0123 (the range test's suggestion)" }]);
    }
    const slow = resolveJobConfig('spirals', { optimizer: 'momentum', learningRate: 1e-4 });
    expect(applyFix(slow, verdict(item('lr_too_low', 'warn')), { suggestedLearningRate: 0.0456789 }).config.learningRate).toBe(0.0457);
    // A suggestion that is no suggestion (NaN, 0) is ignored: ÷10.
    expect(applyFix(resolveJobConfig('blobs', { learningRate: 2 }), verdict(item('divergence')), { suggestedLearningRate: NaN }).config.learningRate).toBeCloseTo(0.2, 12);
  });
});
