import { randomBytes } from 'node:crypto';

/** Fills n random bytes. Injected so tests get stable ids. */
export type RandomSource = (n: number) => Uint8Array;

export const cryptoRandom: RandomSource = (n) => randomBytes(n);

// Lower-case letters and digits without 0/1/8/9 look-alikes: safe in URLs, Discord custom ids and by ear.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** 'r_' + 10 base32 characters (50 random bits). */
export function newRunId(random: RandomSource): string {
  const bytes = random(7);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 10; i++) out += ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)];
  return `r_${out}`;
}

export function isRunIdLike(s: string): boolean {
  return /^r_[a-z2-7]{1,10}$/.test(s);
}

/** A deterministic random source for tests: a seeded xorshift stream. */
export function seededRandom(seed: number): RandomSource {
  let x = seed >>> 0 || 0x9e3779b9;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}
