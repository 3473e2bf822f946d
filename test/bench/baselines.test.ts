import { describe, expect, it } from 'vitest';
import { wouldStop, kerasEarlyStopping } from '../../bench/baselines/keras-early-stopping.ts';
import { autotrainer } from '../../bench/baselines/autotrainer.ts';
import { umlaut } from '../../bench/baselines/umlaut.ts';
import { terminateOnNan } from '../../bench/baselines/terminate-on-nan.ts';
import type { EpochTable } from '../../bench/baselines/epoch-table.ts';
import { score } from '../../bench/eval/scoring.ts';
import { predictedLabels } from '../../bench/eval/labels.ts';
import type { Verdict } from '../../src/domain/verdict.ts';

const table = (t: Partial<EpochTable>): EpochTable => ({ loss: [], valLoss: [], acc: [], valAcc: [], allLosses: [], lossAtVal: [], ...t });

describe('baselines', () => {
  it('Keras EarlyStopping stops after `patience` epochs without improvement, not at the last epoch', () => {
    const v = [1, 0.8, 0.7, 0.75, 0.74, 0.76, 0.73, 0.8];
    expect(wouldStop(v, 0)).toBe(3);
    expect(wouldStop(v, 3)).toBe(5);
    expect(wouldStop(v, 5)).toBeNull();
    expect(kerasEarlyStopping(0).predict(table({ valLoss: v }))).toEqual(new Set(['overfitting']));
  });

  it('TerminateOnNaN sees any non-finite loss; AUTOTRAINER flags slow convergence and oscillating accuracy', () => {
    expect(terminateOnNan.predict(table({ allLosses: [1, Infinity] }))).toEqual(new Set(['nan']));
    const slow = autotrainer.predict(table({ acc: Array.from({ length: 10 }, (_, i) => 0.5 + 0.001 * i), valAcc: Array(10).fill(0.5) }));
    expect(slow).toEqual(new Set(['plateau', 'underfitting']));
    const zigzag = autotrainer.predict(table({ acc: Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.7 : 0.8)) }));
    expect(zigzag.has('oscillating')).toBe(true);
  });

  it('UMLAUT flags overfitting when val loss rises while train loss does not', () => {
    expect(umlaut.predict(table({ valLoss: [1, 0.9, 0.95], lossAtVal: [1, 0.8, 0.7] })).has('overfitting')).toBe(true);
    expect(umlaut.predict(table({ valLoss: [1, 0.9, 0.95], lossAtVal: [1, 0.8, 0.85] })).has('overfitting')).toBe(false);
  });
});

describe('eval scoring', () => {
  it('counts warn as predicted, healthy only when nothing mapped fails, and scores P/R/F1', () => {
    const v = (items: Array<[string, 'fail' | 'warn' | 'pass']>): Verdict => ({ run: { id: 'x', name: 'x', format: 'keras_csv', points: 1, epochs: 1 }, status: 'pass', items: items.map(([id, status]) => ({ id, status, area: 'convergence', title: '', evidence: {}, fix: '', marks: [] })) });
    expect(predictedLabels([v([['overfitting', 'warn']])])).toEqual(new Set(['overfitting', 'healthy']));
    expect(predictedLabels([v([['divergence', 'fail']])])).toEqual(new Set(['divergence']));
    const s = score([
      { file: 'a', truth: new Set(['overfitting']), predicted: new Set(['overfitting']) },
      { file: 'b', truth: new Set(['healthy']), predicted: new Set(['overfitting']) },
    ]);
    const o = s.perLabel.find((l) => l.label === 'overfitting')!;
    expect([o.tp, o.fp, o.fn, o.precision, o.recall]).toEqual([1, 1, 0, 0.5, 1]);
    expect(s.exactMatch).toBe(0.5);
  });
});
