import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const SPE = 40;
/** Data sorted by class: within each epoch the loss climbs as the batches move to harder classes. */
const sawtooth = (e: number) => decay(1, 0.3, 4)(e) * (0.7 + 0.6 * (e - Math.floor(e)));

describe('unshuffled_data', () => {
  it.each(SCALES)('warns on a per-epoch sawtooth in the step-level loss (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, epochs: 10, stepsPerEpoch: SPE, train: sawtooth, trainNoise: 0.1 }), 'unshuffled_data');
    expect(item.status).toBe('warn');
    expect(item.evidence.pointsPerEpoch).toBe(SPE);
  });

  it.each(SCALES)('passes the same noise without a per-epoch pattern (scale %s)', (scale) => {
    expect(itemFor(makeRun({ scale, epochs: 10, stepsPerEpoch: SPE, train: decay(1, 0.3, 4), trainNoise: 0.2 }), 'unshuffled_data').status).toBe('pass');
  });

  it('fails when the config says shuffle is off, and is unknown for epoch-level logs', () => {
    const run = makeRun({ epochs: 10, train: decay(1, 0.3, 4) });
    expect(itemFor(run, 'unshuffled_data', { config: { shuffle: false } }).status).toBe('fail');
    expect(itemFor(run, 'unshuffled_data').status).toBe('unknown');
  });
});
