import { describe, expect, it } from 'vitest';
import { makeRun, decay } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('no_validation', () => {
  it('warns when the run is known to have trained without a validation split', () => {
    const item = itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), trainAcc: () => 0.9 }), 'no_validation', { config: { validationSplit: 0 } });
    expect(item.status).toBe('warn');
    expect(item.title).toMatch(/without a validation split/);
  });
  it('is unknown (not a finding) on a log that only does not show validation: it may be done elsewhere', () => {
    const item = itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), trainAcc: () => 0.9 }), 'no_validation');
    expect(item.status).toBe('unknown');
    expect(item.fix).toMatch(/val_loss/);
  });
  it('passes when any validation series is logged', () => {
    expect(itemFor(makeRun({ epochs: 10, train: decay(1, 0.1, 3), valAcc: () => 0.9 }), 'no_validation').status).toBe('pass');
  });
});
