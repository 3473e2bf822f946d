import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('oscillation', () => {
  it.each(SCALES)('warns when the epoch loss bounces ×1.6 up and down (scale %s)', (scale) => {
    const d = decay(1, 0.4, 4);
    const item = itemFor(makeRun({ scale, epochs: 20, train: (e) => d(e) * (e % 2 === 1 ? 1.6 : 1) }), 'oscillation');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.swings)).toBeGreaterThanOrEqual(5);
  });

  it.each(SCALES)('passes a steady climb (that is divergence) and a noisy descent (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 20, train: (e) => 1 + 0.3 * e }), 'oscillation').status).toBe('pass');
    expect(itemFor(makeRun({ scale, epochs: 20, train: decay(1, 0.3, 4), trainNoise: 0.06 }), 'oscillation').status).toBe('pass');
  });
});
