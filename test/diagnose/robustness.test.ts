/** Whatever the curves look like, diagnose returns a complete verdict and never errors internally. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/index.ts';
import { makeSeries } from '../support/synthetic-runs.ts';

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e-300) },
);
const seriesArb = fc.record({
  key: fc.constantFrom('loss', 'accuracy', 'lr', 'grad_norm', 'f1'),
  split: fc.constantFrom('train' as const, 'val' as const),
  cadence: fc.constantFrom('step' as const, 'epoch' as const),
  values: fc.array(value, { minLength: 0, maxLength: 60 }),
  epochs: fc.boolean(),
});

describe('diagnose robustness', () => {
  it('returns all 32 items without internal errors for arbitrary series', () => {
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 5 }), (specs) => {
        const series = specs.map((s) =>
          makeSeries(`${s.split}_${s.key}`, s.key, s.split, s.cadence, s.values.map((_, i) => i), s.epochs ? s.values.map((_, i) => i / 7) : null, s.values, s.key === 'accuracy' || s.key === 'f1' ? 'higher' : 'lower'),
        );
        const v = diagnose({ id: 'p', name: 'p', format: 'push', series }, { classes: 3 });
        expect(v.items).toHaveLength(32);
        for (const item of v.items) expect(item.evidence.internalError, `${item.id}: ${item.title}`).toBeUndefined();
        expect(() => JSON.stringify(v)).not.toThrow();
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
