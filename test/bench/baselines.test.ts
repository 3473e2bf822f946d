import { describe, expect, it } from 'vitest';
import { wouldStop, kerasEarlyStopping } from '../../bench/baselines/keras-early-stopping.ts';
import { autotrainer } from '../../bench/baselines/autotrainer.ts';
import { umlaut } from '../../bench/baselines/umlaut.ts';
import { terminateOnNan } from '../../bench/baselines/terminate-on-nan.ts';
import { lightningEarlyStopping } from '../../bench/baselines/lightning-early-stopping.ts';
import { zAlerts, zscoreAlert } from '../../bench/baselines/zscore-alert.ts';
import type { EpochTable } from '../../bench/baselines/epoch-table.ts';
import { score } from '../../bench/eval/scoring.ts';
import { corpusLabels, CORPUS_LABELS, flaggedItems, predictedLabels, SCORED_LABELS } from '../../bench/eval/labels.ts';
import type { Verdict } from '../../src/domain/verdict.ts';

const table = (t: Partial<EpochTable>): EpochTable => ({ loss: [], valLoss: [], acc: [], valAcc: [], allLosses: [], lossAtVal: [], trainLossAsLogged: [], ...t });

describe('baselines', () => {
  it('Keras EarlyStopping stops after `patience` epochs without improvement, not at the last epoch', () => {
    const v = [1, 0.8, 0.7, 0.75, 0.74, 0.76, 0.73, 0.8];
    expect(wouldStop(v, 0)).toBe(3);
    expect(wouldStop(v, 3)).toBe(5);
    expect(wouldStop(v, 5)).toBeNull();
    expect(kerasEarlyStopping(0).predict(table({ valLoss: v }))).toEqual(new Set(['overfitting', 'early_stopping_missing']));
  });

  it('TerminateOnNaN sees any non-finite loss; AUTOTRAINER flags slow convergence and oscillating accuracy', () => {
    expect(terminateOnNan.predict(table({ allLosses: [1, Infinity] }))).toEqual(new Set(['nan_loss']));
    const slow = autotrainer.predict(table({ acc: Array.from({ length: 10 }, (_, i) => 0.5 + 0.001 * i), valAcc: Array(10).fill(0.5) }));
    expect(slow).toEqual(new Set(['plateau', 'underfitting']));
    const zigzag = autotrainer.predict(table({ acc: Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.7 : 0.8)) }));
    expect(zigzag.has('oscillation')).toBe(true);
  });

  it('UMLAUT flags overfitting when val loss rises while train loss does not', () => {
    expect(umlaut.predict(table({ valLoss: [1, 0.9, 0.95], lossAtVal: [1, 0.8, 0.7] })).has('overfitting')).toBe(true);
    expect(umlaut.predict(table({ valLoss: [1, 0.9, 0.95], lossAtVal: [1, 0.8, 0.85] })).has('overfitting')).toBe(false);
  });

  it("Lightning's EarlyStopping stops on a non-finite value, past its divergence threshold, or after patience", () => {
    expect(lightningEarlyStopping.predict(table({ valLoss: [1, 0.8, NaN] }))).toEqual(new Set(['nan_loss']));
    expect(lightningEarlyStopping.predict(table({ valLoss: [1, 0.8, 2.5, 0.5] }))).toEqual(new Set(['divergence']));
    expect(lightningEarlyStopping.predict(table({ valLoss: [1, 0.8, 0.9, 0.85, 0.95, 0.7] }))).toEqual(new Set(['overfitting', 'early_stopping_missing']));
    expect(lightningEarlyStopping.predict(table({ valLoss: [1, 0.8, 0.7, 0.6] }))).toEqual(new Set());
    // Without validation it monitors the training loss.
    expect(lightningEarlyStopping.predict(table({ loss: [1, Infinity] }))).toEqual(new Set(['nan_loss']));
  });

  it('the z-score alert fires on a value ≥ 3σ above its trailing 30 and reads it by series', () => {
    const quiet = Array.from({ length: 40 }, (_, i) => 1 + 0.01 * Math.sin(i));
    expect(zAlerts(quiet)).toEqual([]);
    const spiky = [...quiet];
    spiky[35] = 2;
    expect(zAlerts(spiky)).toEqual([35]);
    expect(zscoreAlert.predict(table({ trainLossAsLogged: spiky }))).toEqual(new Set(['loss_spikes']));
    const ending = [...quiet];
    ending[39] = 3;
    expect(zscoreAlert.predict(table({ trainLossAsLogged: ending }))).toEqual(new Set(['loss_spikes', 'divergence']));
    expect(zscoreAlert.predict(table({ trainLossAsLogged: quiet, valLoss: spiky }))).toEqual(new Set(['overfitting']));
  });
});

describe('eval labels and scoring', () => {
  const v = (items: Array<[string, 'fail' | 'warn' | 'pass' | 'unknown']>): Verdict => ({ run: { id: 'x', name: 'x', format: 'keras_csv', points: 1, epochs: 1 }, status: 'pass', items: items.map(([id, status]) => ({ id, status, area: 'convergence', title: '', evidence: {}, fix: '', marks: [] })) });

  it('counts warn as predicted, and healthy only when no problem item at all fails or warns', () => {
    expect(predictedLabels([v([['overfitting', 'warn']])])).toEqual(new Set(['overfitting']));
    expect(predictedLabels([v([['divergence', 'fail']])])).toEqual(new Set(['divergence']));
    // A warning outside the nine real-log labels is still a finding: not healthy.
    expect(predictedLabels([v([['val_better_than_train', 'warn'], ['plateau', 'pass']])])).toEqual(new Set());
    expect(predictedLabels([v([['early_stopping_missing', 'warn']])])).toEqual(new Set(['overfitting']));
    expect(predictedLabels([v([['plateau', 'pass'], ['leakage', 'unknown']])])).toEqual(new Set(['healthy']));
    expect(corpusLabels(flaggedItems([v([['unshuffled_data', 'warn'], ['no_validation', 'warn']])]))).toEqual(new Set(['unshuffled_data']));
    expect(CORPUS_LABELS.length).toBeGreaterThanOrEqual(21);
  });

  it('scores P/R/F1 per label, micro-F1, exact matches and the false-alarm rate on healthy runs', () => {
    const s = score([
      { file: 'a', truth: new Set(['overfitting']), predicted: new Set(['overfitting']) },
      { file: 'b', truth: new Set(['healthy']), predicted: new Set(['overfitting']) },
      { file: 'c', truth: new Set(['healthy']), predicted: new Set(['healthy']) },
    ], SCORED_LABELS);
    const o = s.perLabel.find((l) => l.label === 'overfitting')!;
    expect([o.tp, o.fp, o.fn, o.precision, o.recall, o.support]).toEqual([1, 1, 0, 0.5, 1, 1]);
    expect(s.exactCount).toBe(2);
    expect(s.healthyFalseAlarmRate).toBe(0.5);
    // Pooled: TP 2 (a overfitting, c healthy), FP 1, FN 1 (b's healthy).
    expect(s.microF1).toBeCloseTo(4 / 6, 10);
  });
});
