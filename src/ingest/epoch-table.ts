import type { Cadence, LogFormat, RunLog } from '../domain/run.ts';
import { withoutUnit } from './column-unit.ts';
import { CELL_MISSING, CELL_NUMBER, CELL_TEXT, type CsvColumn, type CsvTable } from './csv.ts';
import { IngestError } from './ingest-error.ts';
import { isLossLike } from './metric-names.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

export interface EpochTableOptions {
  format: LogFormat;
  meta: Record<string, unknown>;
  /** The column that indexes rows (epoch, step), or -1 to number the rows. */
  xColumn: number;
  /** What the x column counts: epochs (cadence 'epoch') or steps (cadence 'step'). */
  xKind: 'epoch' | 'step';
  /** With xKind 'step': a column giving each row's epoch (several rows per epoch). */
  epochColumn?: number;
  /** First row number when there is no x column (0 for Keras, whose epochs are 0-based). */
  rowBase: number;
  /** Columns that are neither x nor metrics (a pandas index, wall-clock times). */
  ignore: Set<number>;
  /** Notes already gathered by the caller. */
  notes?: string[];
  /** Series names for columns whose header is not the name to keep (a notebook table's `Accuracy` is `eval_accuracy`). */
  rename?: Map<number, string>;
}

/** How many missing epochs a note lists by number before it only counts. */
const MAX_LISTED_GAPS = 5;

/**
 * Most runs one file may hold, whatever the configuration says (INGEST_MAX_RUNS_PER_FILE, checked by the ingest use
 * case, may only be lower): a 289 KB CSV whose epoch went back on every row became 30,000 one-point runs.
 */
export const MAX_RUNS_PER_FILE = 10_000;

/**
 * Appended runs are real when they start over where the file started (Keras' CSVLogger with append=True restarts at
 * epoch 0 each time). A "restart" to some other value that leaves a run of one or two rows, again and again, is an
 * epoch column that does not count up (shuffled rows, another column under the epoch header): refused with the line
 * of the first such restart, instead of being read as thousands of one-point runs.
 */
function checkRestarts(table: CsvTable, fileName: string, opts: EpochTableOptions, starts: number[], xs: Float64Array): void {
  const runs = starts.length;
  if (runs < 3) return;
  const what = opts.xColumn >= 0 ? `column '${table.header[opts.xColumn]}'` : 'the header';
  const lengthOf = (r: number) => (r + 1 < runs ? starts[r + 1]! : table.rows) - starts[r]!;
  const stray: number[] = [];
  for (let r = 1; r < runs; r++) {
    const startsOver = opts.xColumn >= 0 && xs[starts[r]!] === xs[0];
    if (lengthOf(r) <= 2 && !startsOver) stray.push(r);
  }
  if (stray.length >= 3 && stray.length * 2 > runs - 1) {
    throw new IngestError({
      file: fileName,
      line: table.lines[starts[stray[0]!]!]!,
      reason: `${what} goes back ${runs - 1} times, ${stray.length} of them to a new value that leaves a run of one or two rows: a malformed epoch column, not appended runs (expected values that count up, an appended run starting again from the first epoch)`,
    });
  }
  if (runs > MAX_RUNS_PER_FILE) {
    throw new IngestError({
      file: fileName,
      line: table.lines[starts[MAX_RUNS_PER_FILE]!]!,
      reason: `${what} starts over ${runs - 1} times: ${runs} runs in one file, over the limit of ${MAX_RUNS_PER_FILE} runs per file`,
    });
  }
}

/**
 * A table with one row per epoch (or per logging step) → runs. An x value that drops back to (or below) the first x
 * of the current run starts a new run: runs appended to one file (Keras CSVLogger with append=True) are read as
 * separate runs named "<file> (run 2)"…; a smaller drop is a resume from a checkpoint, where the later rows replace
 * the earlier ones from that x on. Missing cells are not points; NaN and ±Infinity are.
 */
export function runsFromEpochTable(table: CsvTable, fileName: string, opts: EpochTableOptions): RunLog[] {
  const notes = opts.notes ?? [];
  const metricCols: number[] = [];
  const rawNames = new Map<number, string>();
  const seen = new Map<string, number>();
  const textColumns: CsvColumn[] = [];
  for (let k = 0; k < table.columns.length; k++) {
    if (k === opts.xColumn || k === opts.epochColumn || opts.ignore.has(k)) continue;
    const col = table.columns[k]!;
    if (col.name === '' && col.missing === table.rows) continue;
    if (col.texts > 0 && col.texts + col.missing === table.rows) {
      notes.push(`column '${col.name}' holds text, not numbers: skipped`);
      textColumns.push(col);
      continue;
    }
    if (col.texts > 0) throw textCellError(table, col, fileName);
    if (col.percents > 0) notes.push(`column '${col.name}': ${col.percents} value(s) written with % read as fractions`);
    // Two columns with one name would merge into one series; the second keeps its own identity.
    const times = (seen.get(col.name) ?? 0) + 1;
    seen.set(col.name, times);
    const name = opts.rename?.get(k) ?? col.name;
    rawNames.set(k, times > 1 ? `${name}#${times}` : name);
    if (times > 1) notes.push(`column '${col.name}' appears ${times} times: column ${k + 1} read as '${col.name}#${times}'`);
    metricCols.push(k);
  }
  if (!metricCols.some((k) => isLossLike(withoutUnit(table.columns[k]!.name)))) {
    // A loss column is there but holds text: say so, with the first such cell, rather than "no loss-like column".
    const textLoss = textColumns.find((c) => isLossLike(withoutUnit(c.name)));
    if (textLoss) throw textCellError(table, textLoss, fileName, 'holds text');
    throw noLossColumn(table, fileName);
  }
  if (table.rows === 0) {
    throw new IngestError({ file: fileName, line: table.headerLine, reason: 'a header but no data rows: expected rows of numbers after it' });
  }

  const xs = xValues(table, fileName, opts);
  const keep = new Uint8Array(table.rows).fill(1);
  const starts = [0];
  const repeats = new Set(table.headerRepeats);
  // Kept rows of the current run, x strictly increasing: a resume pops from the top, so each row is popped once.
  const stack = new Int32Array(table.rows);
  let top = 0;
  stack[top++] = 0;
  let runFirst = xs[0]!;
  let resumes = 0;
  for (let i = 1; i < table.rows; i++) {
    if (repeats.has(i) || (opts.xColumn >= 0 && xs[i]! <= runFirst && xs[i]! < xs[i - 1]!)) {
      starts.push(i);
      runFirst = xs[i]!;
      top = 0;
    } else if (opts.xColumn >= 0 && xs[i] === xs[i - 1] && top > 0 && stack[top - 1] === i - 1 && !shareACell(table, metricCols, i - 1, i)) {
      // Sparse rows (a training row and a validation row written at the same step, each with its own cells filled):
      // one record in two rows, not a resume.
    } else if (opts.xColumn >= 0 && xs[i]! <= xs[stack[top - 1]!]!) {
      // Resumed from a checkpoint: the rows logged again replace the earlier ones.
      resumes++;
      let dropped = 0;
      while (top > 0 && xs[stack[top - 1]!]! >= xs[i]!) {
        keep[stack[--top]!] = 0;
        dropped++;
      }
      if (resumes <= 3) notes.push(`line ${table.lines[i]}: ${table.header[opts.xColumn]} goes back from ${xs[i - 1]} to ${xs[i]} (resumed run): the ${dropped} earlier row(s) from ${xs[i]} on are replaced by the later ones`);
    }
    stack[top++] = i;
  }
  if (resumes > 3) notes.push(`${resumes} resumes in all`);
  checkRestarts(table, fileName, opts, starts, xs);

  const base = runNameFromFileName(fileName);
  const cadence: Cadence = opts.xKind;
  const runs: RunLog[] = [];
  for (let r = 0; r < starts.length; r++) {
    const a = starts[r]!;
    const b = r + 1 < starts.length ? starts[r + 1]! : table.rows;
    const runNotes = r === 0 ? [...notes] : [];
    if (starts.length > 1 && r === 0) {
      runNotes.push(`${starts.length} runs appended in one file (${opts.xColumn >= 0 ? `${table.header[opts.xColumn]} resets` : 'header repeated'} at lines ${starts.slice(1).map((s) => table.lines[s]).join(', ')}): read as separate runs`);
    }
    if (starts.length > 1 && r > 0) runNotes.push(`run ${r + 1} of ${starts.length} appended in ${base}, from line ${table.lines[a]}`);
    let allKept = true;
    for (let i = a; i < b; i++) if (!keep[i]) allKept = false;
    const rows: Int32Array | null = allKept ? null : keptRows(keep, a, b);
    const steps = rows ? gather(xs, rows) : xs.subarray(a, b);
    const epochCol = opts.epochColumn !== undefined && opts.epochColumn >= 0 ? table.columns[opts.epochColumn]! : null;
    const epochOf = (i: number) => (epochCol && epochCol.kinds[i] === CELL_NUMBER ? epochCol.values[i]! : NaN);
    const rowEpochs = opts.xKind === 'epoch' ? steps : epochCol ? Float64Array.from(rows ?? range(a, b), epochOf) : null;
    if (opts.xKind === 'epoch' && opts.xColumn >= 0) gapNote(steps, table.header[opts.xColumn]!, runNotes);
    const builder = new SeriesBuilder();
    for (const k of metricCols) {
      const col = table.columns[k]!;
      const pick = pickColumn(col, a, b, rows, steps, rowEpochs);
      if (pick.values.length === 0) continue;
      const name = rawNames.get(k)!;
      builder.addColumn(name, pick.steps, pick.values, pick.epochs, null, cadence, withoutUnit(name));
    }
    const series = builder.build(cadence, runNotes);
    if (series.length === 0) continue;
    runs.push({
      name: r === 0 ? base : `${base} (run ${r + 1})`,
      format: opts.format,
      series,
      notes: runNotes,
      meta: { ...opts.meta, ...(starts.length > 1 ? { runIndex: r + 1, runsInFile: starts.length, firstLine: table.lines[a] } : {}) },
    });
  }
  if (runs.length === 0) throw new IngestError({ file: fileName, line: table.headerLine, reason: 'every metric cell is empty: expected numbers under the header' });
  return runs;
}

/** Whether rows a and b both hold a value (a number, NaN included) in some metric column. */
function shareACell(table: CsvTable, metricCols: number[], a: number, b: number): boolean {
  for (const k of metricCols) {
    const kinds = table.columns[k]!.kinds;
    if (kinds[a] !== CELL_MISSING && kinds[b] !== CELL_MISSING) return true;
  }
  return false;
}

function xValues(table: CsvTable, fileName: string, opts: EpochTableOptions): Float64Array {
  if (opts.xColumn < 0) return Float64Array.from({ length: table.rows }, (_, i) => i + opts.rowBase);
  const col = table.columns[opts.xColumn]!;
  for (let i = 0; i < table.rows; i++) {
    const kind = col.kinds[i];
    if (kind !== CELL_NUMBER || !Number.isFinite(col.values[i]!)) {
      const found = kind === CELL_MISSING ? 'an empty cell' : kind === CELL_TEXT ? `'${col.text.get(i)}'` : String(col.values[i]);
      throw new IngestError({ file: fileName, line: table.lines[i]!, reason: `column '${col.name}': expected a finite number, found ${found}` });
    }
  }
  return col.values;
}

function range(a: number, b: number): Int32Array {
  const out = new Int32Array(b - a);
  for (let i = 0; i < out.length; i++) out[i] = a + i;
  return out;
}

function keptRows(keep: Uint8Array, a: number, b: number): Int32Array {
  let n = 0;
  for (let i = a; i < b; i++) n += keep[i]!;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = a; i < b; i++) if (keep[i]) out[j++] = i;
  return out;
}

function gather(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let t = 0; t < rows.length; t++) out[t] = values[rows[t]!]!;
  return out;
}

function pickColumn(
  col: CsvColumn,
  a: number,
  b: number,
  rows: Int32Array | null,
  allSteps: Float64Array,
  allEpochs: Float64Array | null,
): { steps: Float64Array; values: Float64Array; epochs: Float64Array | null } {
  if (!rows && col.missing === 0) return { steps: allSteps, values: col.values.subarray(a, b), epochs: allEpochs };
  const idx = rows ?? range(a, b);
  let n = 0;
  for (const i of idx) if (col.kinds[i] === CELL_NUMBER) n++;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const epochs = allEpochs ? new Float64Array(n) : null;
  let j = 0;
  for (let t = 0; t < idx.length; t++) {
    const i = idx[t]!;
    if (col.kinds[i] !== CELL_NUMBER) continue;
    steps[j] = allSteps[t]!;
    values[j] = col.values[i]!;
    if (epochs) epochs[j] = allEpochs![t]!;
    j++;
  }
  return { steps, values, epochs };
}

function gapNote(epochs: Float64Array, name: string, notes: string[]): void {
  const missing: number[] = [];
  let count = 0;
  for (let i = 1; i < epochs.length; i++) {
    const prev = epochs[i - 1]!;
    const cur = epochs[i]!;
    if (Number.isInteger(prev) && Number.isInteger(cur) && cur - prev > 1) {
      // Count arithmetically: a corrupt file can jump from epoch 3 to 1e300.
      for (let e = prev + 1; e < cur && missing.length < MAX_LISTED_GAPS; e++) missing.push(e);
      count += cur - prev - 1;
    }
  }
  if (count > 0) notes.push(`${name} ${missing.join(', ')}${count > missing.length ? ` and ${count - missing.length} more` : ''} missing (no row${count > 1 ? 's' : ''})`);
}

function textCellError(table: CsvTable, col: CsvColumn, fileName: string, how: 'mixed' | 'holds text' = 'mixed'): IngestError {
  let row = 0;
  while (row < table.rows && col.kinds[row] !== CELL_TEXT) row++;
  const cell = clipCell(col.text.get(row) ?? '');
  const reason = how === 'holds text' ? `column '${col.name}' holds text ('${cell}'), not numbers` : `column '${col.name}': expected a number, found '${cell}'`;
  return new IngestError({ file: fileName, line: table.lines[row]!, reason });
}

/** A cell quoted in an error: a whole paragraph pasted into a CSV would drown the message. */
function clipCell(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The error for a table without a column a loss curve can be read from. */
export function noLossColumn(table: Pick<CsvTable, 'header' | 'headerLine'>, fileName: string): IngestError {
  return new IngestError({
    file: fileName,
    line: table.headerLine,
    reason: `no loss-like column: expected one of loss, val_loss, train_loss, <name>_loss, mse, mae, nll, perplexity (found: ${table.header.map((h) => h || "''").join(', ')})`,
  });
}
