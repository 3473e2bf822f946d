/**
 * A single tqdm bar over the whole training: `for epoch in (bar := trange(20)): …; bar.set_postfix(loss=…)`. It is
 * redrawn with `\r` on one physical line from start to end, so the last state, which is all the terminal keeps of a
 * bar, holds only the last epoch: the curve is in the states before it. Of such a run of redraws, one state per
 * iteration is kept as well (marked partial: the reader keeps them only for a bar that is not drawn again, a bar per
 * epoch being read from its last states as before).
 *
 * Which state is which iteration:
 * - `set_postfix` redraws the bar at once, so every iteration's values are shown. When the bar shows exactly as many
 *   different postfixes, one after the other, as its total, the k-th is the k-th iteration's, whatever counter it
 *   was drawn with: tqdm's iterator updates the counter it shows only now and then (`1/8` beside the 2nd to 7th
 *   epochs' values when epochs are fast).
 * - Else by the counter: the bar is drawn when its counter advances and again when the postfix changes. In the loop
 *   above the postfix is set during the iteration the next advance completes, so the state drawn when the counter
 *   arrives at n shows the n-th iteration's values. A postfix shown at 0, before anything completed, says the values
 *   run ahead of the counter so: the first state at each position is kept; otherwise (`bar.update(1);
 *   bar.set_postfix(…)`) the values follow the counter, and the last state at each position is.
 */

/** tqdm's `n/N [elapsed<remaining, rate, postfix]`: the counter, the total and what is in the brackets. */
const STATS = /(\d+)\/(\d+|\?) \[([^\]]*)\]/;
/** A postfix value in the brackets: `loss=0.512`. */
const POSTFIX = /=\s*[-+]?(?:\d|\.\d|nan|inf)/i;
/** Most states kept of one run of redraws. */
const MAX_STATES = 10_000;

interface State {
  n: number;
  total: number;
  /** The postfix (the brackets' text after the elapsed time and the rate), '' when it holds no values. */
  postfix: string;
}

function parse(s: string): State {
  const m = STATS.exec(s);
  if (!m) return { n: NaN, total: NaN, postfix: '' };
  const inside = m[3]!;
  const rest = inside.split(',').slice(2).join(',').trim();
  return { n: Number(m[1]), total: m[2] === '?' ? NaN : Number(m[2]), postfix: POSTFIX.test(rest) ? rest : '' };
}

/**
 * The states worth keeping of one bar's consecutive redraws, besides the last (which the caller keeps), in order, one
 * per iteration before the last with postfix values; [] when the bar shows no values or fewer than two iterations.
 */
export function positionStates(states: readonly string[]): string[] {
  if (states.length < 3) return [];
  const parsed = states.map(parse);
  const last = parsed[parsed.length - 1]!;
  if (!last.postfix || Number.isNaN(last.n)) return [];
  const out = byPostfix(states, parsed, last) ?? byCounter(states, parsed, last);
  return out.length >= 1 && out.length < MAX_STATES ? out : [];
}

/** The k-th distinct postfix as the k-th iteration, its counter rewritten to k: when there are as many as the total. */
function byPostfix(states: readonly string[], parsed: State[], last: State): string[] | null {
  if (last.n !== last.total || last.total > MAX_STATES) return null;
  // The last state showing each postfix (the `0/N [00:03<?, ?it/s, …]` before the first advance is drawn again at 1/N).
  const lasts: number[] = [];
  for (let k = 0; k < parsed.length; k++) {
    const p = parsed[k]!.postfix;
    if (!p) continue;
    if (lasts.length > 0 && parsed[lasts[lasts.length - 1]!]!.postfix === p) lasts[lasts.length - 1] = k;
    else lasts.push(k);
  }
  if (lasts.length !== last.total || lasts.length < 2) return null;
  // The last postfix is the final state's; each before it is drawn at the iteration it belongs to.
  return lasts.slice(0, -1).map((k, i) => states[k]!.replace(STATS, (whole, n: string, total: string) => whole.replace(`${n}/${total}`, `${i + 1}/${total}`)));
}

/** One state per counter position: the first when the postfix runs ahead of the counter, else the last. */
function byCounter(states: readonly string[], parsed: State[], last: State): string[] {
  const lead = parsed.some((p) => p.n === 0 && p.postfix !== '');
  const out: string[] = [];
  const positions = new Set<number>();
  let i = 0;
  while (i < parsed.length) {
    const n = parsed[i]!.n;
    let j = i;
    while (j + 1 < parsed.length && parsed[j + 1]!.n === n) j++;
    // The final position is the caller's (its last state); positions without values are nothing to read.
    if (n !== last.n && !Number.isNaN(n)) {
      const k = lead ? firstWithValues(parsed, i, j) : lastWithValues(parsed, i, j);
      if (k >= 0) {
        out.push(states[k]!);
        positions.add(n);
      }
    }
    i = j + 1;
  }
  return positions.size >= 2 ? out : [];
}

function firstWithValues(parsed: State[], from: number, to: number): number {
  for (let k = from; k <= to; k++) if (parsed[k]!.postfix) return k;
  return -1;
}

function lastWithValues(parsed: State[], from: number, to: number): number {
  for (let k = to; k >= from; k--) if (parsed[k]!.postfix) return k;
  return -1;
}
