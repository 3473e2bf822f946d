import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('bad_initial_loss', () => {
  it('fails when the first loss is 9× ln 10', () => {
    const item = itemFor(makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(20, 0.5, 1), trainNoise: 0.01 }), 'bad_initial_loss', { classes: 10 });
    expect(item.status).toBe('fail');
    expect(Number(item.evidence.ratio)).toBeGreaterThan(8);
  });
  it('passes a first loss at ln K, and is unknown without K', () => {
    const run = makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(Math.log(10), 0.5, 1), trainNoise: 0.01 });
    expect(itemFor(run, 'bad_initial_loss', { classes: 10 }).status).toBe('pass');
    expect(itemFor(run, 'bad_initial_loss').status).toBe('unknown');
  });
});
