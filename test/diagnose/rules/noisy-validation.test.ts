import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('noisy_validation', () => {
  it.each(SCALES)('flags a validation loss that jumps ±20 %% between epochs (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 4), val: decay(1, 0.4, 4), valNoise: 0.2 }), 'noisy_validation');
    expect(['warn', 'fail']).toContain(item.status);
    expect(Number(item.evidence.jitter)).toBeGreaterThan(0.1);
  });

  it.each(SCALES)('passes a fast-falling, smooth validation loss (2 %% noise) (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 4), val: decay(3, 0.4, 2), valNoise: 0.02 }), 'noisy_validation').status).toBe('pass');
  });
});
