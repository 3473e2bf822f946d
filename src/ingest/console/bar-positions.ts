/**
 * A single tqdm bar over the whole training: `for epoch in (bar := trange(20)): …; bar.set_postfix(loss=…)`. It is
 * redrawn with `\r` on one physical line from start to end, so the last state, which is all the terminal keeps of a
 * bar, holds only the last epoch: the curve is in the states before it. Of such a run of redraws, the state at each
 * counter position is kept as well (marked partial: the reader keeps them only for a bar that is not drawn again, a
 * bar per epoch being read from its last states as before).
 *
 * Which state at a position: tqdm draws the bar when its counter advances and again when the postfix changes. In the
 * loop above the postfix is set during the iteration the next advance completes, so the state drawn when the counter
 * arrives at n shows the n-th iteration's values, and the one drawn after shows the next's. A postfix shown at 0, before
 * anything completed, says the values run ahead of the counter so: the first state at each position is kept.
 * Otherwise (`bar.update(1); bar.set_postfix(…)`) the values follow the counter, and the last state is kept.
 */

/** tqdm's `n/N [elapsed<remaining, rate, postfix]`: the counter and what is in the brackets. */
const STATS = /(\d+)\/(?:\d+|\?) \[([^\]]*)\]/;
/** A postfix value in the brackets: `loss=0.512`. */
const POSTFIX = /=\s*[-+]?(?:\d|\.\d|nan|inf)/i;
/** Most positions kept of one run of redraws. */
const MAX_STATES = 10_000;

/**
 * The states worth keeping of one bar's consecutive redraws, besides the last (which the caller keeps), in order:
 * one per counter position with postfix values, when there are two positions or more; [] otherwise.
 */
export function positionStates(states: readonly string[]): string[] {
  if (states.length < 3) return [];
  const parsed: Array<{ n: number; values: boolean }> = [];
  for (const s of states) {
    const m = STATS.exec(s);
    parsed.push(m ? { n: Number(m[1]), values: POSTFIX.test(m[2]!) } : { n: NaN, values: false });
  }
  const last = parsed[parsed.length - 1]!;
  if (!last.values || Number.isNaN(last.n)) return [];
  const lead = parsed.some((p) => p.n === 0 && p.values);
  const out: string[] = [];
  let i = 0;
  while (i < parsed.length && out.length < MAX_STATES) {
    const n = parsed[i]!.n;
    let j = i;
    while (j + 1 < parsed.length && parsed[j + 1]!.n === n) j++;
    // The final position is the caller's (its last state); positions without values are nothing to read.
    if (n !== last.n && !Number.isNaN(n)) {
      const k = lead ? firstWithValues(parsed, i, j) : lastWithValues(parsed, i, j);
      if (k >= 0) out.push(states[k]!);
    }
    i = j + 1;
  }
  return new Set(out.map((s) => STATS.exec(s)![1])).size >= 2 ? out : [];
}

function firstWithValues(parsed: Array<{ values: boolean }>, from: number, to: number): number {
  for (let k = from; k <= to; k++) if (parsed[k]!.values) return k;
  return -1;
}

function lastWithValues(parsed: Array<{ values: boolean }>, from: number, to: number): number {
  for (let k = to; k >= from; k--) if (parsed[k]!.values) return k;
  return -1;
}
