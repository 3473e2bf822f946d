/** Evidence objects (rule output) as one readable line: "onset epoch 12 · val loss min 0.509". */

export function formatEvidence(evidence: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    const v = formatValue(value);
    if (v === null) continue;
    parts.push(`${humaniseKey(key)} ${v}`);
  }
  return parts.join(' · ');
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
  if (typeof value === 'string') return value.length > 80 ? value.slice(0, 79) + '…' : value;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 5).map((x) => formatValue(x) ?? '–');
    return `[${shown.join(', ')}${value.length > 5 ? `, … ${value.length - 5} more` : ''}]`;
  }
  // Nested objects (what-if scenarios, per-layer tables) are detail for the JSON output, not for a one-line summary.
  if (typeof value === 'object') return null;
  return String(value);
}
