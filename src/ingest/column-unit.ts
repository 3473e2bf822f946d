/**
 * A unit written after a column's name in a hand-made table header: `Train Acc (%)`, `Val Acc [%]`, `Accuracy %`,
 * `Time (s)`, `LR (x1e-3)` is not. The unit says how the numbers are written, not what they measure: the name without
 * it is what the metric is called (`Train Acc`).
 */
const UNIT = /\s*(?:\(\s*(?:%|percent|s|sec|secs|seconds|ms|min|mins|minutes|h|hrs|hours)\s*\)|\[\s*(?:%|percent|s|sec|secs|seconds|ms|min|mins|minutes|h|hrs|hours)\s*\]|%)\s*$/i;

/** The column name without a trailing unit; the name itself when it has none (or is nothing but a unit). */
export function withoutUnit(name: string): string {
  const stripped = name.replace(UNIT, '');
  return stripped.trim() === '' ? name : stripped;
}
