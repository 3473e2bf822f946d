import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';
import { FIT, netProgressText } from '../../../src/diagnose/rules/lr-too-high.ts';

describe('lr_too_high', () => {
  it.each(SCALES)('fails when the loss makes no progress at the first lr and falls as soon as lr is cut (scale %s)', (scale) => {
    const train = (e: number) => (e < 5 ? 1 : 0.45 + 0.1 * Math.exp(-(e - 5)));
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 12, train, lr: (e) => (e < 5 ? 20 : 5) }), 'lr_too_high');
    expect(item.status).toBe('fail');
    expect(item.evidence).toMatchObject({ learningRateBefore: 20, learningRateAfter: 5 });
  });

  it.each(SCALES)('fails when the loss rises from the very start (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 10, train: (e) => 1 + 0.2 * e }), 'lr_too_high');
    expect(item.status).toBe('fail');
  });

  it.each(SCALES)('passes a healthy step schedule: progress before the cut, a further drop after it (scale %s)', (scale) => {
    const d = decay(1, 0.5, 2);
    const train = (e: number) => (e < 6 ? d(e) : d(6) * 0.7);
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 20, epochs: 12, train, lr: (e) => (e < 6 ? 0.1 : 0.01) }), 'lr_too_high');
    expect(item.status).toBe('pass');
  });

  it('uses the update/weight ratio from instrumentation: 0.2 fails, 1e-3 passes', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.2, 3) });
    const item = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [0.2, 0.25, 0.18] } });
    expect(item.status).toBe('fail');
    expect(item.evidence.updateRatioMedian).toBe(0.2);
    expect(itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [1e-3, 2e-3, 1e-3] } }).status).toBe('pass');
  });

  it('quotes the cut as a number only while it is plausible: a ratio of 12.8 (weights already blowing up) says "100× or more"', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.2, 3) });
    const moderate = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [0.2, 0.25, 0.18] } });
    expect(moderate.fix).toMatch(/about 20×/);
    const huge = itemFor(run, 'lr_too_high', { instrumentation: { updateRatio: [12.8, 12.8, 12.8] } });
    expect(huge.fix).toMatch(/by 100× or more/);
    expect(huge.fix).not.toMatch(/about \d+×/);
    expect(huge.fix).toContain("12800× the healthy size");
  });

  it('says where an overshooting run ended as it is: above, level with, or how far below its start', () => {
    expect(netProgressText(0.814, 1.05)).toBe('above its start (0.814)');
    expect(netProgressText(0.543, 0.542)).toBe('level with its start (0.543)');
    expect(netProgressText(0.305, 0.19)).toBe('only 38 % below its start (0.305)');
    // Through the rule: an epoch jump of twice the fitted bar early on, and a run that ends above where it began.
    const jump = Math.exp(2 * FIT.epochRise);
    const item = itemFor(makeRun({ epochs: 20, train: (e) => (e === 2 ? 0.8 * jump : e < 2 ? 0.8 : 0.9) }), 'lr_too_high');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/ended at 0\.(89|9)\d*, above its start \(0\.(79|8)\d*\)/);
  });

  it('reads the per-epoch overshoot only from a log of epoch means: batch losses that never blew up but swing between epochs are bouncing, not a rate too high to start', () => {
    // The same epoch means as above, as batch losses (20 per epoch): the first epoch holds no blow-up, so the rise from
    // one epoch to the next is oscillation's to judge.
    const jump = Math.exp(2 * FIT.epochRise);
    const shape = (e: number) => (Math.floor(e) === 2 ? 0.8 * jump : e < 2 ? 0.8 : 0.9);
    const perEpoch = itemFor(makeRun({ epochs: 20, train: shape }), 'lr_too_high');
    expect(perEpoch.status).toBe('warn');
    const perBatch = itemFor(makeRun({ epochs: 20, stepsPerEpoch: 20, trainNoise: 0.02, train: shape }), 'lr_too_high');
    expect(perBatch.title).not.toMatch(/from one epoch to the next/);
  });
});
