import { describe, expect, it } from 'vitest';
import { makeRun, decay, turnsUp, SCALES, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';
import { FIT } from '../../../src/diagnose/rules/early-stopping-missing.ts';

describe('early_stopping_missing', () => {
  it.each(SCALES)('warns when the best val loss is at epoch ~10 of 40 and nothing better came after (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: turnsUp(1, 0.4, 3, 10, 0.02) });
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.savedShare)).toBeGreaterThan(0.5);
    expect(Number(item.evidence.stopAt)).toBeGreaterThan(Number(item.evidence.bestEpoch));
    expect(item.marks).toEqual([expect.objectContaining({ kind: 'band', label: 'saved by early stopping' })]);
  });

  it.each(SCALES)('passes when the best is at the end, or early stopping is configured (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: decay(1, 0.3, 10) }), 'early_stopping_missing').status).toBe('pass');
    const overfit = makeRun({ scale, epochs: 40, train: decay(1, 0.05, 6), val: turnsUp(1, 0.4, 3, 10, 0.02) });
    expect(itemFor(overfit, 'early_stopping_missing', { config: { earlyStopping: true } }).status).toBe('pass');
  });

  it.each(SCALES)('on a short run (14 evaluations, best at the second, then worse) stops after the best with the patience overfitting also quotes (scale %s)', (scale) => {
    // 14, not 8: at least MIN_EVALS_FOR_BEST evaluations, the best before FIT.bestBeforeShare of the run.
    const run = makeRun({ scale, epochs: 14, train: decay(1, 0.1, 2), val: turnsUp(1.1, 0.3, 0.5, 1, 0.3) });
    expect(1 / 13).toBeLessThan(FIT.bestBeforeShare);
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(item.evidence).toMatchObject({ evaluations: 14, patience: 3, stopAt: 4 });
    expect(item.fix).toMatch(/patience 3 \(restoring the best weights\) would have stopped at epoch 4/);
    expect(itemFor(run, 'overfitting').fix).toMatch(/patience 3 \(restoring the best weights\) would have stopped at epoch 4/);
  });

  it.each(SCALES)('passes a validation that never improved on its first evaluation (stuck at chance: best at epoch 1 by noise) (scale %s)', (scale) => {
    const stuck = makeRun({ scale, epochs: 20, train: () => 2.3, val: (e) => (e === 1 ? 2.27 : 2.3), trainNoise: 0.002, valNoise: 0.002 });
    const item = itemFor(stuck, 'early_stopping_missing');
    expect(item.status).toBe('pass');
    expect(item.title).toMatch(/^val_loss's best \([\d.e+-]+ at epoch 1\) is not clearly better than its first evaluation \([\d.e+-]+\) for how much it jumps/);
  });

  it('says an accuracy that rose within its own jitter is not clearly better, rather than that it never improved', () => {
    // Console log 009: val_accuracy 60 % → 77 % with ±10 % jumps read "never improved much on its first evaluation".
    const run = makeRun({ epochs: 40, train: (e) => 0.5 + Math.exp(-e / 8), valAcc: (e) => 0.6 + 0.17 * (1 - Math.exp(-e / 10)) + (e % 2 ? 0.08 : -0.08) });
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.title).not.toMatch(/never improved/);
    if (item.status === 'pass') expect(item.title).toMatch(/not clearly better than its first evaluation|late enough/);
    expect(itemFor(run, 'overfitting').title).not.toMatch(/does not turn up/);
  });

  it('never proposes a stop before its own best epoch (the held-out CSV whose best val_loss is at epoch 12)', () => {
    // Five evaluations without a new best (epochs 7–11) stop patience 5 at epoch 11, before the best at 12; the plan
    // takes patience 6 instead, which reaches the best and stops six evaluations after it.
    const head = [1, 0.9, 0.85, 0.8, 0.76, 0.73, 0.7, 0.72, 0.71, 0.73, 0.74, 0.72, 0.6];
    // …then a slow climb, long enough that the best at 12 comes before FIT.bestBeforeShare of the run.
    const tailLength = Math.max(17, Math.ceil(12 / FIT.bestBeforeShare) + 2 - 12);
    const val = [...head, ...Array.from({ length: tailLength }, (_, k) => Number((0.62 + 0.01 * k).toFixed(2)))];
    const run = makeRun({ epochs: val.length, train: decay(1, 0.05, 6) });
    run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', val.map((_, i) => i), val.map((_, i) => i), val));
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(item.evidence).toMatchObject({ bestEpoch: 12, patience: 6, stopAt: 18 });
  });

  it.each(SCALES)('passes a short run whose best comes at the end, saying the run is too short rather than that the best came late (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 8, train: decay(1, 0.1, 2), val: decay(1.1, 0.3, 3) });
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('pass');
    expect(item.title).toBe('val_loss has 8 evaluations: too few to show a best followed by a stretch without a better one');
  });

  it('names the best and the stop by step when evaluations fall at fractional epochs (a Trainer evaluating every 500 steps)', () => {
    // Shared log 014 read "Keep the epoch-7.63 model": its checkpoints are named by step (checkpoint-1000).
    const steps = Array.from({ length: 20 }, (_, i) => (i + 1) * 500);
    const epochs = steps.map((s) => Math.round((s / 131) * 100) / 100);
    const val = steps.map((s, i) => (i < 4 ? 0.6 - 0.07 * i : 0.39 + 0.008 * (i - 3)));
    const train = steps.map((_, i) => 0.5 * Math.exp(-i / 3));
    const run = { id: 'hf', name: 'hf', format: 'hf_trainer_state', series: [makeSeries('loss', 'loss', 'train', 'step', steps, epochs, train), makeSeries('eval_loss', 'loss', 'val', 'step', steps, epochs, val)] };
    const over = itemFor(run, 'overfitting');
    expect(over.status).not.toBe('pass');
    expect(over.title).toMatch(/at step 2000 /);
    expect(over.fix).toMatch(/^Keep the step-2000 model: .* would have stopped at step \d+ and saved \d+ % of the steps/);
    expect(over.fix).not.toMatch(/epoch/);
  });

  it('warns on a best at a third of the run with half the run after it, even when a long patience leaves less than 60 % to save', () => {
    // Best at epoch 11 of 36, then a plateau a little above it: "the minimum before 40 %, half the run after it".
    const val = Array.from({ length: 36 }, (_, e) => (e <= 11 ? 0.4 + 0.6 * Math.exp(-e / 3) : 0.43 + 0.002 * Math.sin(e)));
    const run = makeRun({ epochs: val.length, train: decay(1, 0.05, 8) });
    run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', val.map((_, i) => i), val.map((_, i) => i), val));
    const item = itemFor(run, 'early_stopping_missing');
    expect(item.status).toBe('warn');
    expect(item.evidence.bestEpoch).toBe(11);
  });
});
