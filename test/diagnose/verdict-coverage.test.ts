import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/index.ts';
import { passSummary, verdictCoverage } from '../../src/diagnose/verdict-coverage.ts';
import { makeRun, makeSeries, decay, SCALES } from '../support/synthetic-runs.ts';

describe('verdictCoverage: a passing verdict that could check almost nothing says so', () => {
  it('two points of loss and val_loss (the curl example) are too little to judge, not "no problem"', () => {
    const v = diagnose({
      id: 'r', name: 'shell-run', format: 'push',
      series: [
        makeSeries('loss', 'loss', 'train', 'epoch', [0, 1], [0, 1], [2.3, 1.2]),
        makeSeries('val_loss', 'loss', 'val', 'epoch', [0, 1], [0, 1], [2.31, 1.35]),
      ],
    });
    expect(v.status).toBe('pass'); // the contract's worst-item status is unchanged
    const c = verdictCoverage(v);
    expect(c.tooLittleToJudge).toBe(true);
    expect(passSummary(v)).toMatch(new RegExp(`^Too little data to judge: ${c.unknown} of ${c.total} checks could not run`));
  });

  it.each(SCALES)('look-alike: a healthy 30-epoch log without dataset statistics is a plain pass (scale %s)', (scale) => {
    const v = diagnose(makeRun({ scale, epochs: 30, train: decay(1, 0.2, 6), val: decay(1.05, 0.25, 6) }));
    const c = verdictCoverage(v);
    expect(c.tooLittleToJudge).toBe(false);
    expect(c.unknown).toBeGreaterThan(0); // data checks are unknown, which does not make the curves unjudgeable
    if (v.status === 'pass') expect(passSummary(v)).toBe('No problem found in the checks this log allows.');
  });

  it('says no series was read as a loss (not "log more points") for a long log whose loss has another name', () => {
    // Shared console log 011: 3,200 points of hard_loss_metric / full_loss_metric read "log more points".
    const steps = Array.from({ length: 800 }, (_, i) => i * 100);
    const v = diagnose({ id: 'r', name: 'gait', format: 'console_text', series: [makeSeries('hard_loss_metric', 'hard_loss_metric', 'train', 'step', steps, null, steps.map((s) => 0.5 + 1 / (1 + s / 1000)))] });
    expect(verdictCoverage(v).tooLittleToJudge).toBe(true);
    expect(passSummary(v)).toMatch(/^Too little to judge: no series was read as a loss, so \d+ of \d+ checks could not run \(name the loss `loss` or `val_loss`/);
  });
});
