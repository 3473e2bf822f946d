import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });

describe('unnormalized_inputs', () => {
  it('fails on raw 0–255 pixels', () => {
    expect(itemFor(run, 'unnormalized_inputs', { dataset: { inputMin: 0, inputMax: 255, inputMean: 120, inputStd: 70 } }).status).toBe('fail');
  });
  it('states the scale in three significant digits', () => {
    const item = itemFor(run, 'unnormalized_inputs', { dataset: { inputMin: -4.1, inputMax: 5.856663703918457, inputMean: 0.93, inputStd: 2.120797704243813 } });
    expect(item.status).toBe('warn');
    expect(item.title).toBe('Inputs reach 5.86 (std 2.12)');
  });
  it('passes standardised inputs and is unknown without statistics', () => {
    expect(itemFor(run, 'unnormalized_inputs', { dataset: { inputMin: -2.1, inputMax: 2.6, inputMean: 0.01, inputStd: 1 } }).status).toBe('pass');
    expect(itemFor(run, 'unnormalized_inputs').status).toBe('unknown');
  });
});
