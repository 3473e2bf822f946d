import { describe, expect, it } from 'vitest';
import { tellOneStory } from '../../src/diagnose/story.ts';
import type { VerdictItem } from '../../src/domain/verdict.ts';

const item = (id: string, status: VerdictItem['status'], fix = `fix ${id}`): VerdictItem => ({ id, area: 'training', status, title: `Title of ${id}`, evidence: {}, fix, marks: [] });

describe('one run, one story', () => {
  it('a rate that overshot is not also reported as too low, nor told to train longer: lr_too_high takes both over', () => {
    // Console log 019 of the shared set read "Lower the learning rate by 10×" beside "Try a learning rate 3–10× higher".
    const out = tellOneStory([item('lr_too_high', 'fail', 'Lower the learning rate by 10×.'), item('lr_too_low', 'warn'), item('not_converged', 'warn')]);
    const byId = Object.fromEntries(out.map((i) => [i.id, i]));
    expect(byId.lr_too_high!.status).toBe('fail');
    for (const id of ['lr_too_low', 'not_converged']) {
      expect(byId[id]!.status).toBe('pass');
      expect(byId[id]!.explainedBy).toBe('lr_too_high');
      expect(byId[id]!.fix).toBe('Lower the learning rate by 10×.');
      expect(byId[id]!.title).toMatch(/^Part of the lr_too_high finding: title of /);
    }
  });

  it('without a too-high rate, a too-low one still explains not_converged', () => {
    const out = tellOneStory([item('lr_too_high', 'pass'), item('lr_too_low', 'warn'), item('not_converged', 'warn')]);
    expect(out.find((i) => i.id === 'lr_too_low')!.status).toBe('warn');
    expect(out.find((i) => i.id === 'not_converged')!.explainedBy).toBe('lr_too_low');
  });
});

describe('overfitting and early stopping tell one story', () => {
  it('does not pass early_stopping_missing as "would change little" while overfitting says stopping saves a third of the run', async () => {
    const { diagnose } = await import('../../src/diagnose/index.ts');
    const { makeRun } = await import('../support/synthetic-runs.ts');
    // Shared log 036: best val_loss at epoch 15 of 30, then a climb; patience 3 stops at 18 and saves 37 %, below the
    // share early_stopping_missing asks on its own.
    const run = makeRun({ epochs: 30, train: (e) => 0.1 + Math.exp(-e / 6), val: (e) => (e <= 15 ? 0.38 + 0.6 * Math.exp(-e / 3) : 0.38 + 0.6 * Math.exp(-5) + 0.008 * (e - 15)) });
    const v = diagnose(run);
    const overfitting = v.items.find((i) => i.id === 'overfitting')!;
    const es = v.items.find((i) => i.id === 'early_stopping_missing')!;
    expect(overfitting.status).toBe('fail');
    expect(overfitting.fix).toMatch(/saved 3\d %/);
    expect(es.explainedBy).toBe('overfitting');
    expect(es.evidence.statusBefore).toBe('warn');
    expect(es.title).not.toMatch(/would change little/);
    expect(es.evidence.stopAt).toBe(Number(overfitting.fix.match(/stopped at epoch (\d+)/)![1]));
  });
});

describe('a NaN run gets no clean bill', () => {
  it('turns the curve checks that passed into not judged when the loss went NaN, and leaves the others alone', () => {
    const out = tellOneStory([item('nan_loss', 'fail', 'Lower the learning rate.'), item('plateau', 'pass'), item('overfitting', 'warn'), item('class_imbalance', 'pass')]);
    const byId = Object.fromEntries(out.map((i) => [i.id, i]));
    expect(byId.plateau!.status).toBe('unknown');
    expect(byId.plateau!.title).toMatch(/^Not judged: the loss went NaN/);
    expect(byId.plateau!.evidence.notJudgedBecause).toBe('nan_loss');
    expect(byId.overfitting!.explainedBy).toBe('nan_loss');
    expect(byId.class_imbalance!.status).toBe('pass');
  });

  it('keeps passes when nothing went NaN', () => {
    const out = tellOneStory([item('nan_loss', 'pass'), item('plateau', 'pass')]);
    expect(out.find((i) => i.id === 'plateau')!.status).toBe('pass');
  });
});
