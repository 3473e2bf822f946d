import { describe, expect, it } from 'vitest';
import { buildView, withoutAfterTrainingEvals } from '../../src/diagnose/signals/view.ts';
import { makeRun, makeSeries, decay, SCALES } from '../support/synthetic-runs.ts';
import { itemFor } from '../support/verdict-item.ts';

/** Validation every 1700 steps for 5 epochs, plus what `trainer.validate()` after `fit()` logs: one step later, another value. */
function withValidateCall(scale: number, extra: number) {
  const run = makeRun({ scale, stepsPerEpoch: 1700, epochs: 5, train: decay(0.6, 0.03, 1), trainNoise: 0.5 });
  const steps = [1699, 3399, 5099, 6799, 8499, 8500];
  const vals = [0.071, 0.046, 0.044, 0.047, 0.039, extra].map((v) => v * scale);
  run.series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', steps, [0, 1, 2, 3, 4, 5], vals));
  return run;
}

describe('evaluations logged after training', () => {
  it('drops a trailing evaluation with no training since the previous one, and nothing else', () => {
    const s = makeSeries('val_loss', 'loss', 'val', 'epoch', [100, 200, 300, 400, 401], [0, 1, 2, 3, 4], [4, 3, 2.5, 2.4, 1]);
    expect(Array.from(withoutAfterTrainingEvals(s).values)).toEqual([4, 3, 2.5, 2.4]);
    const regular = makeSeries('val_loss', 'loss', 'val', 'epoch', [100, 200, 300, 400, 500], [0, 1, 2, 3, 4], [4, 3, 2.5, 2.4, 1]);
    expect(withoutAfterTrainingEvals(regular)).toBe(regular);
    // Irregular but real training between evaluations (eval at the end of a shorter last epoch) is kept.
    const shortLast = makeSeries('val_loss', 'loss', 'val', 'epoch', [100, 200, 300, 400, 430], [0, 1, 2, 3, 4], [4, 3, 2.5, 2.4, 2.3]);
    expect(withoutAfterTrainingEvals(shortLast).values).toHaveLength(5);
  });

  it.each(SCALES)('a validate() call after fit() on another split is not read as a jump of the curve (scale %s)', (scale) => {
    const run = withValidateCall(scale, 0.014);
    expect(buildView(run.series).valLoss!.y).toHaveLength(5);
    expect(itemFor(run, 'not_converged').status).toBe('pass');
  });
});
