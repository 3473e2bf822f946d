/**
 * A CSV of examples with a label column → a DataTable. The label is the column named by the caller, else the first
 * column called label/class/target/y/…, else the last column. A split column (split/subset/set with train, val,
 * validation, valid, test, dev) marks validation rows. Numeric columns are kept as they are (the checks judge their
 * scale); text columns with at most MAX_CATEGORIES values are one-hot encoded, wider ones and id columns are dropped;
 * every such decision is one note. Pure.
 */
import { IngestError } from '../../ingest/ingest-error.ts';
import { CELL_MISSING, CELL_TEXT, findCsvHead, parseCsv, type CsvColumn } from '../../ingest/csv.ts';
import { TRAIN, VALIDATION, type DataTable, type ReadLimits } from '../table.ts';
import { labelsFromNumbers, labelsFromStrings } from './labels.ts';

/** Label column names looked for, case-insensitively, in this order. */
export const LABEL_COLUMNS = ['label', 'labels', 'class', 'target', 'y', 'category', 'species', 'variety', 'digit', 'outcome'];
export const SPLIT_COLUMNS = ['split', 'subset', 'set', 'fold_name'];
/** Column names read as row ids and left out (an id makes every row unique, hiding duplicates). */
export const ID_COLUMNS = /^(id|index|idx|row|row_id|unnamed: ?0|)$/i;
/** Most distinct values a text column may have to be one-hot encoded. */
export const MAX_CATEGORIES = 50;

const VAL_WORDS = new Set(['val', 'valid', 'validation', 'test', 'dev', 'eval', 'holdout']);
const TRAIN_WORDS = new Set(['train', 'training', 'trn']);

export interface CsvReadOptions {
  /** The label column's name (default: see LABEL_COLUMNS, else the last column). */
  labelColumn?: string;
}

export function readCsvTable(bytes: Uint8Array, file: string, limits: ReadLimits, o: CsvReadOptions = {}): DataTable {
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.slice(0, 4096).includes('\0')) throw new IngestError({ file, reason: 'binary content: expected a CSV with a header line, an .npy/.npz, or a zip of image folders' });
  if (text.trim() === '') throw new IngestError({ file, reason: 'empty file: expected a CSV with a header line and a label column' });
  const head = findCsvHead(text);
  if (!head) throw new IngestError({ file, line: 1, reason: 'expected a header line of column names separated by , ; tab or | (a CSV with a label column)' });
  const table = parseCsv(text, file, head);
  const cols = table.columns;
  const lower = cols.map((c) => c.name.trim().toLowerCase());
  let labelAt: number;
  if (o.labelColumn !== undefined) {
    labelAt = lower.indexOf(o.labelColumn.trim().toLowerCase());
    if (labelAt < 0) throw new IngestError({ file, line: table.headerLine, reason: `no column named "${o.labelColumn}": the columns are ${cols.map((c) => c.name).join(', ')}` });
  } else {
    labelAt = LABEL_COLUMNS.map((n) => lower.indexOf(n)).find((i) => i >= 0) ?? cols.length - 1;
  }
  const splitAt = lower.findIndex((n, i) => i !== labelAt && SPLIT_COLUMNS.includes(n));
  const notes: string[] = [`label column: ${cols[labelAt]!.name}${o.labelColumn === undefined && !LABEL_COLUMNS.includes(lower[labelAt]!) ? ' (the last column; name it label or pass --label)' : ''}`];

  // Rows without a label are left out.
  const label = cols[labelAt]!;
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) if (label.kinds[r] !== CELL_MISSING) keep.push(r);
  if (keep.length < table.rows) notes.push(`${table.rows - keep.length} rows without a label left out`);
  const n = keep.length;
  if (n === 0) throw new IngestError({ file, reason: `no row has a value in the label column ${label.name}` });
  if (n > limits.maxExamples) throw new IngestError({ file, reason: `${n} rows, over the limit of ${limits.maxExamples} examples` });

  const labels = label.texts > 0 ? labelsFromStrings(keep.map((r) => cellText(label, r)), file, `column ${label.name}`) : labelsFromNumbers(keep.map((r) => label.values[r]!), file, `column ${label.name}`);

  const split = new Uint8Array(n);
  let hasValidation = false;
  if (splitAt >= 0) {
    const sc = cols[splitAt]!;
    const unknown = new Set<string>();
    keep.forEach((r, i) => {
      const v = cellText(sc, r).trim().toLowerCase();
      if (VAL_WORDS.has(v)) {
        split[i] = VALIDATION;
        hasValidation = true;
      } else if (!TRAIN_WORDS.has(v)) unknown.add(v);
    });
    notes.push(`split column: ${sc.name}${unknown.size ? ` (values ${[...unknown].slice(0, 5).join(', ')} read as training)` : ''}`);
  }

  // Features: numeric columns as they are, text columns one-hot, ids dropped.
  const features: Array<{ name: string; values: Float32Array }> = [];
  const dropped: string[] = [];
  const encoded: string[] = [];
  cols.forEach((c, k) => {
    if (k === labelAt || k === splitAt) return;
    if (ID_COLUMNS.test(c.name.trim())) {
      dropped.push(`${c.name || '(unnamed)'} (a row id)`);
      return;
    }
    if (c.texts === 0) {
      let sum = 0;
      let count = 0;
      for (const r of keep) if (c.kinds[r] !== CELL_MISSING && Number.isFinite(c.values[r]!)) (sum += c.values[r]!), count++;
      if (count === 0) {
        dropped.push(`${c.name} (empty)`);
        return;
      }
      const mean = sum / count;
      const v = Float32Array.from(keep, (r) => (c.kinds[r] === CELL_MISSING || !Number.isFinite(c.values[r]!) ? mean : c.values[r]!));
      if (count < n) notes.push(`${n - count} missing or non-finite values of ${c.name} filled with its mean ${round(mean)}`);
      features.push({ name: c.name, values: v });
      return;
    }
    const cats = [...new Set(keep.map((r) => cellText(c, r)))].sort();
    if (cats.length > MAX_CATEGORIES) {
      dropped.push(`${c.name} (text with ${cats.length} distinct values, more than ${MAX_CATEGORIES} to one-hot encode)`);
      return;
    }
    for (const cat of cats) features.push({ name: `${c.name}=${cat}`, values: Float32Array.from(keep, (r) => (cellText(c, r) === cat ? 1 : 0)) });
    encoded.push(`${c.name} (${cats.length} categories)`);
  });
  if (encoded.length) notes.push(`one-hot encoded: ${encoded.join(', ')}`);
  if (dropped.length) notes.push(`left out: ${dropped.join(', ')}`);
  if (features.length === 0) throw new IngestError({ file, reason: `no feature columns besides the label ${label.name}: expected numeric or categorical columns` });

  const f = features.length;
  if (n * f * 4 > limits.maxBytes) throw new IngestError({ file, reason: `${n} rows × ${f} features decode to more than the limit of ${limits.maxBytes} bytes (INGEST_MAX_BYTES)` });
  const x = new Float32Array(n * f);
  features.forEach((feat, j) => {
    for (let i = 0; i < n; i++) x[i * f + j] = feat.values[i]!;
  });
  return {
    source: file,
    kind: 'rows',
    inputShape: [f],
    featureSize: f,
    x,
    y: labels.y,
    classNames: labels.classNames,
    split,
    hasValidation,
    names: keep.map((r) => `line ${table.lines[r]}`),
    featureNames: features.map((ft) => ft.name),
    notes,
  };
}

function cellText(c: CsvColumn, r: number): string {
  if (c.kinds[r] === CELL_TEXT) return c.text.get(r) ?? '';
  if (c.kinds[r] === CELL_MISSING) return '';
  return String(c.values[r]);
}

function round(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
