import { describe, expect, it } from 'vitest';
import { FIT } from '../../../src/diagnose/rules/oscillation.ts';
import { makeRun, makeSeries, decay, SCALES } from '../../support/synthetic-runs.ts';
import { perEpoch } from '../../../src/diagnose/rules/oscillation.ts';
import { buildView } from '../../../src/diagnose/signals/view.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('oscillation', () => {
  it.each(SCALES)('warns when the epoch loss bounces up and down by ×1.6, or by more than the fitted bar without validation (scale %s)', (scale) => {
    const d = decay(1, 0.4, 4);
    // Without validation a bounce must clear FIT.largeUp (×5.9 after the corpus fit: smaller ones were healthy batches).
    const bounce = Math.max(1.6, 1.3 * Math.exp(FIT.largeUp));
    const item = itemFor(makeRun({ scale, epochs: 20, train: (e) => d(e) * (e % 2 === 1 ? bounce : 1) }), 'oscillation');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.trainTurns)).toBeGreaterThanOrEqual(5);
  });

  it.each(SCALES)('passes a steady climb (that is divergence) and a noisy descent (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 20, train: (e) => 1 + 0.3 * e }), 'oscillation').status).toBe('pass');
    expect(itemFor(makeRun({ scale, epochs: 20, train: decay(1, 0.3, 4), trainNoise: 0.06 }), 'oscillation').status).toBe('pass');
  });
});

describe('oscillation read on validation and training together', () => {
  const zigzag = (amp: number, floor: number) => (e: number) => decay(1.2, floor, 3)(e) * (e > 2 && e % 2 === 1 ? 1 + amp : 1);
  it('warns when validation changes direction every epoch by large moves and the epoch training loss bounces too (Adam 0.05, batch 4)', () => {
    const run = makeRun({ epochs: 36, train: zigzag(0.06, 0.5), val: zigzag(0.25, 0.6) });
    const item = itemFor(run, 'oscillation');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.valTurns)).toBeGreaterThanOrEqual(12);
    // One band over the bouncing stretch, with the count, not a dot per turn (ten labels overlapped on the chart).
    expect(item.marks).toHaveLength(1);
    expect(item.marks[0]).toMatchObject({ series: 'val_loss', kind: 'band', label: `bounces: ${item.evidence.valTurns} direction changes` });
    expect(item.marks[0]!.toStep!).toBeGreaterThan(item.marks[0]!.step + 20);
  });
  it('counts moderate bounces (±10 % a direction change) over 30–40 epochs, and leaves a 10-epoch run with the same jitter alone', () => {
    // Validation changing direction 12–26 times in 30–40 epochs by ~10 %, the training loss bouncing with it.
    for (const epochs of [30, 40]) {
      const run = makeRun({ epochs, train: zigzag(0.07, 0.5), val: zigzag(0.1, 0.6) });
      const item = itemFor(run, 'oscillation');
      expect(item.status, `${epochs} epochs`).toBe('warn');
      expect(Number(item.evidence.valTurns)).toBeGreaterThanOrEqual(12);
    }
    // Ten evaluations: a handful of direction changes is what any noise gives; too few to call the optimiser bouncing.
    expect(itemFor(makeRun({ epochs: 10, train: zigzag(0.07, 0.5), val: zigzag(0.1, 0.6) }), 'oscillation').status).toBe('unknown');
  });
  it('counts the epochs whose training loss went up, also when it climbs for several epochs in a row before falling back', () => {
    // Momentum 0.95 on a plateau: the epoch loss creeps up 6 % an epoch for five epochs, falls back in one, rests one.
    // Few direction changes (2 in 7 epochs), but a rise in 5 of 7, which a descending optimiser's epoch means never show.
    const saw = (e: number) => {
      const k = e % 7;
      return 0.22 * (k <= 5 ? Math.exp(0.06 * k) : 1.005);
    };
    const train = (e: number) => (e < 3 ? 0.5 - 0.09 * e : saw(e - 3));
    const val = (e: number) => (e < 2 ? 0.8 - 0.3 * e : 0.17 * (e % 2 ? 1.3 : 1));
    const item = itemFor(makeRun({ epochs: 31, train, val, trainNoise: 0.001, valNoise: 0.001 }), 'oscillation');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.trainTurns)).toBeLessThan(0.324 * 29);
  });
  it('passes a jumping validation over a smoothly descending training loss: that is noisy_validation', () => {
    const run = makeRun({ epochs: 36, train: decay(1.2, 0.3, 6), val: zigzag(0.25, 0.4) });
    expect(itemFor(run, 'oscillation').status).toBe('pass');
    // The jumps are measured as the validation's own jitter (flagged or not depending on the fitted bar).
    expect(Number(itemFor(run, 'noisy_validation').evidence.jitter)).toBeGreaterThan(0.1);
  });
});

describe('per-epoch means of a step-level loss', () => {
  // 8 epochs of 50 steps; the epoch of a step is the share done when it ended (TensorFlow.js jobs, trainer_state):
  // 0.02, 0.04, …, 1.0 for the first epoch, so the step that ends epoch k reads exactly k.
  const steps = Array.from({ length: 400 }, (_, i) => i + 1);
  const loss = steps.map((s) => 2 - Math.floor((s - 1) / 50) * 0.2);
  const doneShare = makeSeries('batch_loss', 'loss', 'train', 'step', steps, steps.map((s) => s / 50), loss);
  const begun = makeSeries('batch_loss', 'loss', 'train', 'step', steps, steps.map((s) => Math.floor((s - 1) / 50)), loss);
  it('groups a step ending epoch k with epoch k − 1 when epochs count the share done, and by the index otherwise', () => {
    for (const series of [doneShare, begun]) {
      const c = buildView([series]).trainLoss!;
      expect(c.smoothed).toBe(true);
      const { v } = perEpoch(c);
      expect(v).toHaveLength(8);
    }
    // The checklist counts the run's own 8 epochs, not 9.
    const item = itemFor({ id: 'r', name: 'r', format: 'tfjs_job', series: [doneShare] }, 'oscillation');
    expect(item.title).toBe('Only 8 epochs of training loss');
  });
});
