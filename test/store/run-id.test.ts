import { describe, expect, it } from 'vitest';
import { isRunIdLike, newRunId, seededRandom } from '../../src/store/run-id.ts';

describe('newRunId', () => {
  it('is r_ + 10 URL- and Discord-safe characters, stable for a seeded source', () => {
    const a = newRunId(seededRandom(7));
    expect(a).toMatch(/^r_[a-z2-7]{10}$/);
    expect(newRunId(seededRandom(7))).toBe(a);
    expect(encodeURIComponent(a)).toBe(a);
    expect(isRunIdLike(a)).toBe(true);
  });

  it('spreads over the alphabet (no collisions in 10,000 draws)', () => {
    const rand = seededRandom(1);
    const ids = new Set(Array.from({ length: 10_000 }, () => newRunId(rand)));
    expect(ids.size).toBe(10_000);
  });
});
