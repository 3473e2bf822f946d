/** Text presentation helpers shared by the CLI commands. */
import { escapeControlChars } from '../domain/control-chars.ts';

/**
 * The CLI's output streams with every control character (but newline and tab) escaped as a visible `\uXXXX`:
 * run names, file names, notes and error messages all pass through here, so none can restyle or retitle the
 * user's terminal (issue 17). JSON output keeps its meaning: `\uXXXX` is JSON's own escape.
 */
export function terminalSafe<T extends { stdout(text: string): void; stderr(text: string): void }>(io: T): T {
  return { ...io, stdout: (t: string) => io.stdout(escapeControlChars(t)), stderr: (t: string) => io.stderr(escapeControlChars(t)) };
}

/** A number for a human: 4 significant digits, exponent for the very large/small, NaN/Inf spelled out. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** 'YYYY-MM-DD HH:MM' UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Left-aligned columns; columns named in `right` are right-aligned (numbers). */
export function formatTable(headers: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** JSON for machines: NaN and ±Infinity (not representable in JSON) become null, typed arrays become arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as Float64Array);
      return v;
    },
    2,
  );
}
