/** Short, readable axis numbers: 1k, 2.5M, 0.001, 1e-5, 0.25. */
export function formatAxisNumber(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a >= 1e15) return sign + expForm(a);
  if (a >= 1e12) return sign + trim(a / 1e12) + 'T';
  if (a >= 1e9) return sign + trim(a / 1e9) + 'G';
  if (a >= 1e6) return sign + trim(a / 1e6) + 'M';
  if (a >= 1e3) return sign + trim(a / 1e3) + 'k';
  if (a >= 1e-3) return sign + trim(a);
  return sign + expForm(a);
}

/** Up to 3 significant digits, no trailing zeros, no float noise (0.30000000000000004 → 0.3). */
function trim(a: number): string {
  const s = Number(a.toPrecision(3)).toString();
  return s.includes('e') ? expForm(a) : s;
}

function expForm(a: number): string {
  const e = Math.floor(Math.log10(a));
  const m = Number((a / 10 ** e).toPrecision(2));
  if (m >= 10) return `1e${e + 1}`;
  return m === 1 ? `1e${e}` : `${m}e${e}`;
}

/** A value in a label ("val loss 0.509", "lr 3e-4"): like the axis but with one more digit. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return formatAxisNumber(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return formatAxisNumber(v);
  return Number(v.toPrecision(4)).toString();
}
