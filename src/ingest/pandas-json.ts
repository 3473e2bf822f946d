import { jsonPathKey } from './json-path.ts';
import { isLossLike } from './metric-names.ts';
import { isPlainObject } from './record-collector.ts';

/**
 * A History saved through pandas' `DataFrame.to_json`: the default `orient='columns'` writes
 * `{"loss": {"0": 0.41, "1": 0.13}, "val_loss": {…}}`, `orient='index'` writes `{"0": {"loss": 0.41, …}, "1": {…}}`.
 * Keys of the inner (columns) or outer (index) objects are the frame's index labels, the epochs of a History frame.
 */

/** `{"<name>": {"<int>": <number>…` with a loss-like column name in the head. */
const COLUMNS_HEAD = /^\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*\{\s*"-?\d+"\s*:\s*(?:[-+.0-9]|NaN|-?Infinity|null)/;
/** `{"<int>": {"<name>": <number>…`. */
const INDEX_HEAD = /^\s*\{\s*"-?\d+"\s*:\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*(?:[-+.0-9]|NaN|-?Infinity|null)/;
const NAME = /"((?:[^"\\]|\\.)*)"\s*:/g;
const INDEX_LABEL = /^-?\d+$/;

/**
 * Whether the start of a JSON text looks like a pandas-written frame of training metrics: one of the two layouts, and
 * a loss-like name among the first names (a classification report or any other frame of numbers is not a history).
 */
export function looksLikePandasFrame(head: string): boolean {
  if (!COLUMNS_HEAD.test(head) && !INDEX_HEAD.test(head)) return false;
  for (const m of head.matchAll(NAME)) if (!INDEX_LABEL.test(m[1]!) && isLossLike(m[1]!)) return true;
  return false;
}

export interface PandasFrame {
  layout: 'columns' | 'index';
  /** Column name → its values in index order. */
  columns: Record<string, unknown[]>;
  /** The index labels (epochs), in order. */
  index: number[];
  /** The JSON path of the i-th value of a column (for messages). */
  pathOf(column: string, i: number): string;
}

/**
 * The parsed document as a frame when it is one of the two layouts with integer index labels, else null (the caller
 * then reads it as it would any other object).
 */
export function pandasFrame(root: Record<string, unknown>): PandasFrame | null {
  const outer = Object.keys(root);
  if (outer.length === 0) return null;
  const inner = Object.values(root);
  if (!inner.every((v) => isPlainObject(v) && Object.keys(v).length > 0)) return null;
  const rows = inner as Array<Record<string, unknown>>;
  if (outer.every((k) => INDEX_LABEL.test(k))) {
    // orient='index': one object per row; a column missing from a row is a missing value.
    const names: string[] = [];
    for (const row of rows) for (const k of Object.keys(row)) if (!names.includes(k)) names.push(k);
    if (names.some((n) => INDEX_LABEL.test(n))) return null;
    const columns: Record<string, unknown[]> = {};
    for (const n of names) columns[n] = rows.map((row) => (n in row ? row[n] : null));
    return { layout: 'index', columns, index: outer.map(Number), pathOf: (c, i) => jsonPathKey(jsonPathKey('$', outer[i]!), c) };
  }
  // orient='columns': every column holds the same index labels (pandas writes them all, null where missing).
  const labels = Object.keys(rows[0]!);
  if (!labels.every((k) => INDEX_LABEL.test(k))) return null;
  if (!rows.every((col) => Object.keys(col).length === labels.length && labels.every((k) => k in col))) return null;
  const columns: Record<string, unknown[]> = {};
  outer.forEach((name, c) => {
    columns[name] = labels.map((k) => rows[c]![k]);
  });
  return { layout: 'columns', columns, index: labels.map(Number), pathOf: (c, i) => jsonPathKey(jsonPathKey('$', c), labels[i]!) };
}
