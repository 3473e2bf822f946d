import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('stuck_at_chance', () => {
  it('fails when the loss sits at ln K with K known', () => {
    const run = makeRun({ epochs: 20, stepsPerEpoch: 20, train: decay(2.5, Math.log(10), 0.5), val: () => Math.log(10) });
    const item = itemFor(run, 'stuck_at_chance', { classes: 10 });
    expect(item.status).toBe('fail');
    expect(item.evidence.chance).toBeCloseTo(Math.log(10), 3);
  });

  it('fails when accuracy sits at the majority-class rate', () => {
    const run = makeRun({ epochs: 20, train: decay(1, 0.6, 1), trainAcc: () => 0.8, valAcc: () => 0.8 });
    const item = itemFor(run, 'stuck_at_chance', { classes: 2, dataset: { classCounts: { a: 800, b: 200 } } });
    expect(item.status).toBe('fail');
    expect(item.evidence.chanceIs).toBe('the majority-class rate');
  });

  it('warns on an exact-looking chance level without K (MSE 0.25 of predicting 0.5), held from the first epochs', () => {
    // At chance for most of the run (the corpus fit asks 90 % of it): a fall to 0.25 within two epochs, then flat.
    const run = makeRun({ epochs: 80, train: decay(0.9, 0.25, 0.5), trainNoise: 0.0005 });
    expect(itemFor(run, 'stuck_at_chance').status).toBe('warn');
  });

  it('passes a loss well below ln K, and is unknown without K and without a chance-looking level', () => {
    const run = makeRun({ epochs: 20, stepsPerEpoch: 20, train: decay(2.3, 0.3, 3), val: decay(2.3, 0.35, 3) });
    expect(itemFor(run, 'stuck_at_chance', { classes: 10 }).status).toBe('pass');
    const unknown = itemFor(run, 'stuck_at_chance');
    expect(unknown.status).toBe('unknown');
    expect(unknown.fix).toContain('--classes');
  });
});
