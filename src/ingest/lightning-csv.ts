import type { Cadence, RunLog } from '../domain/run.ts';
import { CELL_NUMBER, CELL_TEXT, findCsvHead, parseCsv, parseCsvBytes, type CsvTable } from './csv.ts';
import type { TextSource } from './decode.ts';
import { noLossColumn } from './epoch-table.ts';
import { IngestError } from './ingest-error.ts';
import { headInBytes, requireHead } from './keras-csv.ts';
import { isLossLike } from './metric-names.ts';
import type { FormatParser } from './parser.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

/**
 * PyTorch Lightning CSVLogger `metrics.csv`: one sparse row per logging call, indexed by `step` (and `epoch`, empty
 * on LearningRateMonitor `lr-*` rows). `_step`/`_epoch` suffixes say the cadence of a metric logged both ways; other
 * metrics get the cadence they were logged at. A step that goes back (a run resumed from a checkpoint) replaces that
 * metric's earlier points from there on; exact duplicate rows are dropped.
 */
export const lightningCsvParser: FormatParser = {
  format: 'lightning_csv',

  sniff(text: string): boolean {
    const head = findCsvHead(text);
    return head !== null && isLightningHeader(head.header);
  },

  parse(text: string, fileName: string): RunLog[] {
    return runsFromLightningTable(parseCsv(text, fileName, requireHead(findCsvHead(text), fileName)), fileName);
  },

  parseSource(source: TextSource, fileName: string): RunLog[] {
    return runsFromLightningTable(parseCsvBytes(source.utf8, fileName, headInBytes(source, requireHead(findCsvHead(source.prefix), fileName))), fileName);
  },
};

export function isLightningHeader(header: string[]): boolean {
  const names = header.map((h) => h.trim());
  if (!names.includes('step')) return false;
  return names.includes('epoch') || names.some((h) => /_(step|epoch)$/.test(h) || /^lr-/.test(h));
}

function runsFromLightningTable(table: CsvTable, fileName: string): RunLog[] {
  const names = table.header.map((h) => h.trim());
  const stepCol = names.indexOf('step');
  const epochCol = names.indexOf('epoch');
  const metricCols = names.map((_, k) => k).filter((k) => k !== stepCol && k !== epochCol && names[k] !== '');
  if (!metricCols.some((k) => isLossLike(names[k]!))) throw noLossColumn(table, fileName);
  if (table.rows === 0) throw new IngestError({ file: fileName, line: table.headerLine, reason: 'a header but no data rows: expected rows of numbers after it' });

  const steps = table.columns[stepCol]!;
  for (let i = 0; i < table.rows; i++) {
    if (steps.kinds[i] !== CELL_NUMBER || !Number.isFinite(steps.values[i]!)) {
      const found = steps.kinds[i] === CELL_TEXT ? `'${steps.text.get(i)}'` : 'an empty cell';
      throw new IngestError({ file: fileName, line: table.lines[i]!, reason: `column 'step': expected a finite number, found ${found}` });
    }
  }
  const epochs = epochCol >= 0 ? table.columns[epochCol]! : null;
  const fileEpochs = new Set<number>();
  if (epochs) for (let i = 0; i < table.rows; i++) if (epochs.kinds[i] === CELL_NUMBER) fileEpochs.add(epochs.values[i]!);

  const notes: string[] = [];
  const builder = new SeriesBuilder();
  let resumeNotes = 0;
  for (const k of metricCols) {
    const col = table.columns[k]!;
    if (col.texts > 0) {
      if (col.texts + col.missing === table.rows) {
        notes.push(`column '${col.name}' holds text, not numbers: skipped`);
        continue;
      }
      let row = 0;
      while (col.kinds[row] !== CELL_TEXT) row++;
      throw new IngestError({ file: fileName, line: table.lines[row]!, reason: `column '${col.name}': expected a number, found '${col.text.get(row)}'` });
    }
    const xs: number[] = [];
    const es: number[] = [];
    const vs: number[] = [];
    let duplicates = 0;
    for (let i = 0; i < table.rows; i++) {
      if (col.kinds[i] !== CELL_NUMBER) continue;
      const step = steps.values[i]!;
      const value = col.values[i]!;
      const epoch = epochs && epochs.kinds[i] === CELL_NUMBER ? epochs.values[i]! : NaN;
      const n = xs.length;
      if (n > 0 && xs[n - 1] === step && Object.is(vs[n - 1], value)) {
        duplicates++;
        continue;
      }
      if (n > 0 && step < xs[n - 1]!) {
        let keep = n;
        while (keep > 0 && xs[keep - 1]! >= step) keep--;
        if (resumeNotes++ < 3) {
          notes.push(`line ${table.lines[i]}: ${col.name} step goes back from ${xs[n - 1]} to ${step} (resumed run): its ${n - keep} earlier point(s) from step ${step} on are replaced by the later ones`);
        }
        xs.length = keep;
        es.length = keep;
        vs.length = keep;
      }
      xs.push(step);
      es.push(epoch);
      vs.push(value);
    }
    if (duplicates > 0) notes.push(`${col.name}: ${duplicates} duplicate row(s) (same step, same value) dropped`);
    if (vs.length === 0) continue;
    builder.addColumn(col.name, Float64Array.from(xs), Float64Array.from(vs), Float64Array.from(es), null, cadenceOf(col.name, es, fileEpochs));
  }
  if (resumeNotes > 3) notes.push(`${resumeNotes} step resets in all`);
  const series = builder.build('step', notes);
  if (series.length === 0) throw new IngestError({ file: fileName, line: table.headerLine, reason: 'every metric cell is empty: expected numbers under the header' });
  return [{ name: runNameFromFileName(fileName), format: 'lightning_csv', series, notes, meta: { framework: 'pytorch_lightning' } }];
}

/**
 * `_step`/`_epoch` suffixes (and a `batch_` prefix) decide; otherwise a metric with at most one point per whole epoch
 * was logged per epoch, and one at fractional epochs (a step,epoch,batch_loss table: epoch = step / steps per epoch)
 * per step.
 */
function cadenceOf(name: string, epochs: number[], fileEpochs: Set<number>): Cadence {
  if (/_step$|^batch[_-]/.test(name)) return 'step';
  if (/_epoch$|^epoch[_-]/.test(name)) return 'epoch';
  const seen = new Set<number>();
  let known = 0;
  for (const e of epochs) {
    if (Number.isNaN(e)) continue;
    known++;
    if (seen.has(e) || !Number.isInteger(e)) return 'step';
    seen.add(e);
  }
  if (known === 0) return epochs.length <= Math.max(1, fileEpochs.size) ? 'epoch' : 'step';
  return 'epoch';
}
