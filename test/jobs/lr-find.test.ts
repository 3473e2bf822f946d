/**
 * The range test's suggestion (suggestRates), pure: the steepest descent of the smoothed loss measured over a decade,
 * so the batch-to-batch wiggle of a flat start is not taken for a descent (a preset's test once suggested 1.6e-6,
 * where nothing trains, while its loss fell between 0.004 and 0.6).
 */
import { describe, expect, it } from 'vitest';
import { MAX_LR, MIN_LR, SMOOTHING, suggestRates, type LrPoint } from '../../src/jobs/custom/lr-find.ts';
import { createRng } from '../../src/jobs/rng.ts';

/** A sweep's points: the loss as a function of the rate, with noise, smoothed as the sweep smooths it. */
function sweep(loss: (lr: number) => number, noise: number, steps = 100, seed = 1): LrPoint[] {
  const rng = createRng(seed);
  let avg = 0;
  return Array.from({ length: steps }, (_, s) => {
    const lr = MIN_LR * (MAX_LR / MIN_LR) ** (s / (steps - 1));
    const l = loss(lr) + noise * rng.normal();
    avg = SMOOTHING * avg + (1 - SMOOTHING) * l;
    return { lr, loss: l, smoothed: avg / (1 - SMOOTHING ** (s + 1)) };
  });
}

describe('suggestRates', () => {
  it('finds the descent, not the wiggle of a noisy flat start', () => {
    // Flat at 1.6 up to 1e-3, falling to 0.05 by 1, exploding past 3.
    const curve = (lr: number) => (lr < 1e-3 ? 1.6 : lr < 1 ? 1.6 - 1.55 * (Math.log10(lr) + 3) / 3 : lr < 3 ? 0.05 : 50);
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const s = suggestRates(sweep(curve, 0.4, 100, seed), null);
      expect(s.steepest!, `seed ${seed}`).toBeGreaterThan(1e-3);
      expect(s.steepest!, `seed ${seed}`).toBeLessThan(3);
      expect(s.suggested!).toBeLessThanOrEqual(s.minimumOverTen!);
      expect(s.suggested!).toBeGreaterThan(1e-4);
    }
  });

  it('with fewer steps (a coarser sweep) too; and no suggestion from fewer than five points', () => {
    const curve = (lr: number) => 1 / (1 + lr * 10) + (lr > 2 ? 10 : 0);
    const s = suggestRates(sweep(curve, 0.02, 40), null);
    expect(s.steepest!).toBeGreaterThan(1e-3);
    expect(suggestRates(sweep(curve, 0, 4), null).suggested).toBeNull();
  });
});
