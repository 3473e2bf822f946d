import type { RunLog } from '../domain/run.ts';
import { findCsvHead, parseCsv, parseCsvBytes, type CsvHead, type CsvTable } from './csv.ts';
import type { TextSource } from './decode.ts';
import { runsFromEpochTable } from './epoch-table.ts';
import { IngestError } from './ingest-error.ts';
import type { FormatParser } from './parser.ts';

/** Header names of a pandas index column (`pd.DataFrame(history.history).to_csv(path)`). */
const PANDAS_INDEX = /^(|unnamed: ?0|index)$/i;

/**
 * Keras CSVLogger files: `epoch` first, then the metric names in alphabetical order (`loss`, `val_loss`, custom
 * metrics), any separator, sometimes a title line before the header; also a History saved through pandas (an unnamed
 * index column instead of `epoch`). Epochs are 0-based. Appended runs (the epoch resets) become separate runs.
 */
export const kerasCsvParser: FormatParser = {
  format: 'keras_csv',

  sniff(text: string): boolean {
    const head = findCsvHead(text);
    return head !== null && isKerasHeader(head.header);
  },

  parse(text: string, fileName: string): RunLog[] {
    const head = findCsvHead(text);
    return runsFromKerasTable(parseCsv(text, fileName, requireHead(head, fileName)), fileName);
  },

  parseSource(source: TextSource, fileName: string): RunLog[] {
    return runsFromKerasTable(parseCsvBytes(source.utf8, fileName, headInBytes(source, requireHead(findCsvHead(source.prefix), fileName))), fileName);
  },
};

/**
 * A header Keras could have written: a `loss` column, no Lightning `step`, and `epoch` first (or a pandas index, or no
 * index); or History's names with `epoch` added after them (the TensorFlow tutorials' `hist['epoch'] = history.epoch`
 * before `hist.to_csv(index=False)`).
 */
export function isKerasHeader(header: string[]): boolean {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (!lower.includes('loss')) return false;
  if (lower.some((h) => h === 'step' || h === 'global_step' || h.startsWith('lr-') || /_(step|epoch)$/.test(h))) return false;
  if (lower[0] === 'epoch') return true;
  if (PANDAS_INDEX.test(lower[0]!)) return !lower.includes('epoch');
  // No index column at all, or `epoch` after the others: Keras metric names only (`val_` prefixes, no `train_`).
  if (lower.some((h) => h.startsWith('train'))) return false;
  if (!lower.includes('epoch')) return true;
  return header.every((h) => KERAS_NAME.test(h.trim())) && lower.filter((h) => h === 'epoch').length === 1;
}

/** A name Keras gives a logged value: the metric's (or output's) name in snake case. */
const KERAS_NAME = /^[a-z][a-z0-9_]*$/;

function runsFromKerasTable(table: CsvTable, fileName: string): RunLog[] {
  const lower = table.header.map((h) => h.trim().toLowerCase());
  const epochCol = lower.indexOf('epoch');
  const ignore = new Set<number>();
  const notes: string[] = [];
  if (epochCol < 0 && PANDAS_INDEX.test(lower[0]!)) ignore.add(0);
  if (epochCol < 0) notes.push('no epoch column: rows numbered as epochs from 0');
  if (table.preamble.length > 0) notes.push(`title line before the header ignored: ${JSON.stringify(table.preamble.join(' / ').slice(0, 80))}`);
  return runsFromEpochTable(table, fileName, {
    format: 'keras_csv',
    meta: { framework: 'keras', separator: table.separator, ...(table.preamble.length ? { title: table.preamble.join('\n') } : {}) },
    xColumn: epochCol,
    xKind: 'epoch',
    rowBase: 0,
    ignore,
    notes,
  });
}

export function requireHead(head: CsvHead | null, fileName: string): CsvHead {
  if (!head) throw new IngestError({ file: fileName, line: 1, reason: 'expected a header line of column names separated by , ; tab or |' });
  return head;
}

/** `head` (found in the decoded prefix) with `dataStart` as a byte offset into `source.utf8`. */
export function headInBytes(source: TextSource, head: CsvHead): CsvHead {
  return { ...head, dataStart: new TextEncoder().encode(source.prefix.slice(0, head.dataStart)).length };
}
