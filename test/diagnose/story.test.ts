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
