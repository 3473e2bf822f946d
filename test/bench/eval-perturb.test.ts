import { describe, expect, it } from 'vitest';
import { scaleNoise, unimodalFit, PERTURBATIONS } from '../../bench/eval/perturb.ts';
import { makeSeries } from '../support/synthetic-runs.ts';

const series = (values: number[], split: 'train' | 'val' = 'val') => makeSeries(split === 'val' ? 'val_loss' : 'loss', 'loss', split, 'epoch', values.map((_, i) => i), null, values);

describe('eval perturbations (leave-it-out check)', () => {
  it('fits a fall-then-rise trend exactly and pools the bumps of a noisy fall', () => {
    expect(unimodalFit([5, 3, 2, 2.5, 4])).toEqual([5, 3, 2, 2.5, 4]);
    expect(unimodalFit([5, 3, 3.4, 2, 1])).toEqual([5, 3.2, 3.2, 2, 1]);
  });

  it('scales the residuals around the trend on the log scale: ×0 leaves the trend, ×1 the curve', () => {
    const s = series([1, 0.5, 0.6, 0.3, 0.25]);
    const flat = Array.from(scaleNoise(s, 0).values);
    for (let i = 1; i < flat.length; i++) expect(flat[i]).toBeLessThanOrEqual(flat[i - 1] + 1e-12);
    Array.from(scaleNoise(s, 1).values).forEach((v, i) => expect(v).toBeCloseTo(s.values[i], 12));
    const wider = scaleNoise(s, 2).values;
    expect(wider[2] / wider[1]).toBeGreaterThan(s.values[2] / s.values[1]);
  });

  it('leaves series it cannot put on a log scale (zeros) and the other split alone', () => {
    const zeros = series([1, 0.5, 0, 0.2, 0.1]);
    expect(scaleNoise(zeros, 1.5)).toBe(zeros);
    const train = series([1, 0.5, 0.6, 0.3, 0.25], 'train');
    const [valOnly] = PERTURBATIONS.filter((p) => p.name.startsWith('validation'));
    expect(valOnly.apply([train])[0]).toBe(train);
  });
});
