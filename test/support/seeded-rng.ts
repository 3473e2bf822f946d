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

/** `n` deterministic float32 values in [-1, 1) (a 32-bit LCG), so two backends see the same tensor inputs. */
export function uniformFloats32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
