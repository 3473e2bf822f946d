/**
 * Evidence objects (rule output) for the Details view: one "key: value" line per entry, a nested table's entries as
 * "table · key: value", anything deeper as compact JSON. Messages never show this; they state the finding's title, which already carries the numbers that matter.
 */

export function evidenceLines(evidence: Record<string, unknown>, prefix = ''): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    // A nested table one level deep (an early-stopping plan) reads better as its own lines than as JSON.
    if (!prefix && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      lines.push(...evidenceLines(value as Record<string, unknown>, `${humaniseKey(key)} · `));
      continue;
    }
    const v = formatValue(value);
    if (v !== null) lines.push(`${prefix}${humaniseKey(key)}: ${v}`);
  }
  return lines;
}

export function humaniseKey(key: string): string {
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

function formatValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value.length > 200 ? value.slice(0, 199) + '…' : value;
  if (Array.isArray(value) && value.every((x) => typeof x !== 'object' || x === null)) {
    const shown = value.slice(0, 12).map((x) => formatValue(x) ?? '–');
    return `${shown.join(', ')}${value.length > 12 ? `, … ${value.length - 12} more` : ''}`;
  }
  const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return json.length > 300 ? json.slice(0, 299) + '…' : json;
}
