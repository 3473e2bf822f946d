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

  describe('an inferred chance level must agree with the other curve kind (no K given)', () => {
    // A stalled loss or accuracy often rests near some ln k or 1/k by coincidence: a 10-class model at 0.203 is not
    // "uniform over 5 classes" when its loss is 1.75 (ln 5 = 1.61).
    const flat = (level: number) => decay(level * 1.3, level, 0.5);
    it('does not read an accuracy at 1/5 as chance when the loss is far from ln 5', () => {
      const run = makeRun({ epochs: 40, train: flat(1.75), val: flat(1.75), trainNoise: 0.002, valNoise: 0.002, valAcc: () => 0.2 });
      expect(itemFor(run, 'stuck_at_chance').status).toBe('unknown');
    });

    it('does not read a loss at ln 7 as chance when the accuracy is well above 1/7', () => {
      const run = makeRun({ epochs: 40, train: flat(Math.log(7)), val: flat(Math.log(7)), trainNoise: 0.001, valNoise: 0.001, valAcc: () => 0.4 });
      expect(itemFor(run, 'stuck_at_chance').status).toBe('unknown');
    });

    it('warns when both agree: accuracy at 1/2 and loss at ln 2', () => {
      const run = makeRun({ epochs: 40, train: flat(Math.log(2)), val: flat(Math.log(2)), trainNoise: 0.001, valNoise: 0.001, valAcc: () => 0.5 });
      const item = itemFor(run, 'stuck_at_chance');
      expect(item.status).toBe('warn');
      expect(item.evidence.chance).toBeCloseTo(Math.log(2), 2);
    });
  });

  it('warns without K when the loss ends near ln k and an accuracy near 1/k, even while both still creep (a rate too low)', () => {
    // A 10-class model at a rate far too low: the loss creeps 2.31 -> 2.28 and the accuracy 0.07 -> 0.11 over 60 epochs.
    const run = makeRun({ epochs: 60, train: (e) => 2.31 - 0.0005 * e, val: (e) => 2.309 - 0.0005 * e, trainNoise: 0.0005, valNoise: 0.0005, trainAcc: (e) => 0.07 + 0.0007 * e, valAcc: (e) => 0.075 + 0.0007 * e });
    const item = itemFor(run, 'stuck_at_chance');
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/≈ ln 10, with (val_)?accuracy at 0\.11\d* ≈ 1\/10/);
    // The same loss with an accuracy of 0.4 is a model that learnt something.
    const learnt = makeRun({ epochs: 60, train: (e) => 2.31 - 0.0005 * e, val: (e) => 2.309 - 0.0005 * e, trainNoise: 0.0005, valNoise: 0.0005, trainAcc: () => 0.4, valAcc: () => 0.4 });
    expect(itemFor(learnt, 'stuck_at_chance').status).not.toBe('warn');
  });

  describe('a training accuracy frozen from its second epoch, without the class count', () => {
    // Shared console log 048: accuracy 0.5339, then 0.5885 for 199 epochs while the loss fell 2.71 → 1.56.
    const loss = (e: number) => 1.56 + 1.15 * Math.exp(-e / 4);
    it('warns that every input gets the same answer', () => {
      const run = makeRun({ epochs: 40, train: loss, trainNoise: 0.001, trainAcc: (e) => (e === 0 ? 0.5339 : 0.5885) });
      run.series.find((s) => s.name === 'accuracy')!.values.forEach((_, i, a) => (a[i] = i === 0 ? 0.5339 : 0.5885));
      const item = itemFor(run, 'stuck_at_chance');
      expect(item.status).toBe('warn');
      expect(item.title).toBe('accuracy held exactly 0.5885 from epoch 1 on (39 evaluations): every input gets the same answer');
      expect(item.marks[0]!.label).toBe('one answer for every input');
    });

    it('does not read a validation accuracy that rests on one score (a small validation set), a perfect training accuracy, or one that moved', () => {
      const valOnly = makeRun({ epochs: 40, train: loss, val: loss, valAcc: () => 0.9 });
      valOnly.series.find((s) => s.name === 'val_accuracy')!.values.fill(0.9);
      expect(itemFor(valOnly, 'stuck_at_chance').status).toBe('unknown');
      const perfect = makeRun({ epochs: 40, train: loss, trainAcc: () => 1 });
      perfect.series.find((s) => s.name === 'accuracy')!.values.fill(1);
      expect(itemFor(perfect, 'stuck_at_chance').status).toBe('unknown');
      const moved = makeRun({ epochs: 40, train: loss, trainAcc: () => 0.5885 });
      moved.series.find((s) => s.name === 'accuracy')!.values.forEach((_, i, a) => (a[i] = i === 30 ? 0.5912 : 0.5885));
      expect(itemFor(moved, 'stuck_at_chance').status).toBe('unknown');
    });
  });
});
