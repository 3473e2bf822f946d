/**
 * A metric value as JSON-family logs write it → a number, or undefined when the field is not a measurement.
 * Numbers pass through (NaN and ±Infinity included: they are symptoms, kept as data); strings are accepted when they
 * spell a number or one of the non-finite words Python, NumPy and R print ("nan", "inf", "-Infinity", "NA").
 * null, booleans, objects and other text are not measurements.
 */
export function toMetricValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseMetricText(v);
  return undefined;
}

const NON_FINITE: Record<string, number> = {
  nan: NaN, '-nan': NaN, na: NaN, '+nan': NaN,
  inf: Infinity, '+inf': Infinity, infinity: Infinity, '+infinity': Infinity,
  '-inf': -Infinity, '-infinity': -Infinity,
};

/** A number written as text (`0.25`, `1e-4`, `nan`, `-inf`), or undefined. Empty text is not a number. */
export function parseMetricText(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const special = NON_FINITE[t.toLowerCase()];
  if (special !== undefined) return special;
  // Number() accepts hex, binary and "" as 0; a log's numbers are decimal.
  // `\d+(?:\.\d*)?`, not `\d+\.?\d*`: two quantifiers competing for the same digits backtrack quadratically.
  if (!/^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

