import { describe, expect, it } from 'vitest';
import { makeRun, decay, turnsUp, SCALES, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor, verdictItem } from '../../support/verdict-item.ts';

const withVal = (val: number[], trainTau = 5) => {
  const run = makeRun({ epochs: val.length, train: decay(1, 0.05, trainTau) });
  run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', val.map((_, i) => i), val.map((_, i) => i), val));
  return run;
};

describe('overfitting', () => {
  it.each(SCALES)('fails when val loss turns up after epoch 12 while train keeps falling, with the plan and marks (scale %s)', (scale) => {
    const run = makeRun({ scale, epochs: 30, stepsPerEpoch: 20, train: decay(1, 0.05, 6), val: turnsUp(1.1, 0.3, 4, 12, 0.04), valNoise: 0.01 });
    const item = itemFor(run, 'overfitting');
    expect(item.status).toBe('fail');
    expect(item.evidence.onsetEpoch).toBeGreaterThanOrEqual(11);
    expect(item.evidence.onsetEpoch).toBeLessThanOrEqual(13);
    const w = item.evidence.earlyStopping as { stopAt: number; savedShare: number; text: string };
    expect(w.stopAt).toBeGreaterThan(Number(item.evidence.onsetEpoch));
    expect(w.savedShare).toBeGreaterThan(0.3);
    expect(w.text).toMatch(/early stopping on val_loss with patience \d+ \(restoring the best weights\) would have stopped at epoch \d+ and saved \d+ % of the epochs/);
    expect(item.marks.map((m) => m.kind).sort()).toEqual(['band', 'point']);
    expect(item.marks.every((m) => m.series === 'val_loss')).toBe(true);
  });

  it('honours the direction of a validation metric when no val loss is logged', () => {
    const run = makeRun({ epochs: 30, trainAcc: (e) => 0.6 + 0.39 * (1 - Math.exp(-e / 6)), valAcc: (e) => (e <= 10 ? 0.6 + 0.25 * (1 - Math.exp(-e / 3)) : 0.6 + 0.25 * (1 - Math.exp(-10 / 3)) - 0.01 * (e - 10)) });
    expect(itemFor(run, 'overfitting').status).toBe('fail');
  });

  it.each(SCALES)('passes a noisy val loss whose best is at the end, and a val loss that starts huge and falls (scale %s)', (scale) => {
    const noisy = makeRun({ scale, epochs: 30, train: decay(1, 0.2, 5), val: decay(1.1, 0.3, 6), valNoise: 0.05 });
    expect(itemFor(noisy, 'overfitting').status).toBe('pass');
    const huge = makeRun({ scale, epochs: 12, train: decay(0.8, 0.25, 4) });
    const vals = [2213, 56, 15, 1.8, 1.08, 0.65, 0.64, 0.45, 0.44, 0.43, 0.42, 0.42].map((v) => v * scale);
    huge.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', vals.map((_, i) => i), vals.map((_, i) => i), vals));
    expect(itemFor(huge, 'overfitting').status).toBe('pass');
  });

  it('replays Keras EarlyStopping exactly: one best epoch in the title, the evidence, the fix and the chart', () => {
    const item = itemFor(withVal([1, 0.8, 0.6, 0.5, 0.45, 0.44, 0.46, 0.47, 0.49, 0.5, 0.52, 0.55, 0.57, 0.6, 0.62, 0.65, 0.68, 0.7, 0.72, 0.75]), 'overfitting');
    expect(item.status).toBe('fail');
    expect(item.evidence).toMatchObject({ onsetEpoch: 5, valBest: 0.44, valBestAt: 5, valLast: 0.75, valLossMin: 0.44 });
    // Best at epoch 5; epochs 6, 7, 8 do not improve → patience 3 stops after epoch 8; epochs 9–19 (11 of 20) saved.
    expect(item.evidence.earlyStopping).toMatchObject({ patience: 3, stopAt: 8, savedShare: 0.55 });
    expect(item.title).toBe('val_loss bottomed at 0.44 at epoch 5 and ended at 0.75 while loss fell ' + item.title.split('loss fell ')[1]);
    expect(item.fix).toMatch(/^Keep the epoch-5 model: early stopping on val_loss with patience 3 \(restoring the best weights\) would have stopped at epoch 8 and saved 55 % of the epochs\./);
    expect(item.marks).toEqual([
      { series: 'val_loss', step: 5, label: 'best val_loss (epoch 5)', kind: 'point', value: 0.44 },
      { series: 'val_loss', step: 8, toStep: 19, label: 'saved by early stopping', kind: 'band' },
    ]);
  });

  it('on a noisy curve advises the smallest patience that keeps the real best, and never stops before it', () => {
    // Falls with a stall at epochs 4–7 (patience 3 gives up at 6, patience 4 at 7), reaches its real best 0.40 at
    // epoch 11, then rises: patience 5 waits epochs 12–16 and stops at 16, leaving 7 of 24 epochs unrun.
    const val = [1, 0.7, 0.55, 0.5, 0.52, 0.51, 0.53, 0.5, 0.47, 0.44, 0.42, 0.4, 0.43, 0.47, 0.5, 0.54, 0.57, 0.6, 0.63, 0.66, 0.7, 0.73, 0.76, 0.8];
    const item = itemFor(withVal(val, 6), 'overfitting');
    expect(item.status).toBe('fail');
    expect(item.evidence).toMatchObject({ valBest: 0.4, valBestAt: 11, onsetEpoch: 11 });
    expect(item.evidence.earlyStopping).toMatchObject({ patience: 5, stopAt: 16, savedShare: 0.292 });
    expect(item.marks).toEqual(expect.arrayContaining([{ series: 'val_loss', step: 11, label: 'best val_loss (epoch 11)', kind: 'point', value: 0.4 }]));
  });

  it('one story: overfitting and early_stopping_missing never give two plans, and the stop is never before the best', () => {
    // Shared log 013's shape: an early wobble (best-so-far at epoch 2), a long flat stretch, the real best at 39, then a rise.
    // 120 evaluations (013 has 100): stopping after 39 must save the share early_stopping_missing's fitted bar asks.
    const val = Array.from({ length: 120 }, (_, e) => (e < 8 ? [0.9, 0.8, 0.7, 0.75, 0.72, 0.74, 0.73, 0.71][e] : e <= 39 ? 0.7 - 0.29 * ((e - 8) / 31) : 0.41 + 0.004 * (e - 39)));
    const run = withVal(val, 20);
    const over = verdictItem(run, 'overfitting');
    const esm = verdictItem(run, 'early_stopping_missing');
    expect(over.status).toBe('fail');
    expect(over.evidence.valBestAt).toBe(39);
    const plan = over.evidence.earlyStopping as { stopAt: number; patience: number };
    expect(plan.stopAt).toBeGreaterThan(39);
    expect(esm.explainedBy).toBe('overfitting');
    expect(esm.marks).toEqual([]);
    // Its own judgement, had it spoken, reads the same plan.
    const own = itemFor(run, 'early_stopping_missing');
    expect(own.evidence).toMatchObject({ bestEpoch: 39, stopAt: plan.stopAt, patience: plan.patience });
  });

  it('calls a turn only when the best leaves 40 % of the run after it (the minimum before 60 % of the run)', () => {
    // Falls to 0.3 until epoch 26 of 40 (65 % of the run), then climbs 40 %: too late a best to call the run overfitting.
    const late = Array.from({ length: 40 }, (_, e) => (e <= 26 ? 0.3 + 0.7 * Math.exp(-e / 5) : 0.3 * (1 + 0.03 * (e - 26))));
    expect(itemFor(withVal(late, 15), 'overfitting').status).toBe('pass');
    // The same climb from epoch 20 (50 %) is one.
    const mid = Array.from({ length: 40 }, (_, e) => (e <= 20 ? 0.3 + 0.7 * Math.exp(-e / 4) : 0.3 * (1 + 0.03 * (e - 20))));
    expect(itemFor(withVal(mid, 15), 'overfitting').status).toBe('fail');
  });
});
