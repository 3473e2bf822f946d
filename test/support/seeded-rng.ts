import { createRng } from '../../src/jobs/rng.ts';

/** A small seeded RNG (the jobs' mulberry32, with its own Box–Muller) so generated runs are identical on every machine and every run. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  gauss(): number;
}

export function seededRng(seed: number): Rng {
  const next = createRng(seed).next;
  return {
    next,
    gauss() {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}
