import type { RunLog } from '../domain/run.ts';
import { withoutUnit } from './column-unit.ts';
import { findCsvHead, parseCsv, parseCsvBytes, type CsvTable } from './csv.ts';
import type { TextSource } from './decode.ts';
import { runsFromEpochTable } from './epoch-table.ts';
import { headInBytes, requireHead } from './keras-csv.ts';
import { evaluatedColumns, isIndexColumn, isLossLike } from './metric-names.ts';
import type { FormatParser } from './parser.ts';

const EPOCH_NAMES = /^(epoch|epochs|ep)$/i;
const STEP_NAMES = /^(step|steps|global_step|iter|iteration|iterations|it|batch|update|updates)$/i;

/**
 * Any other delimited table of training metrics: `epoch,train_loss,train_acc,val_loss,val_acc` written by hand-rolled
 * loops, 1-based epochs, accuracy in percent. Claims a table only when a column is loss-like, so a data CSV in a
 * directory is not mistaken for a log.
 */
export const plainCsvParser: FormatParser = {
  format: 'plain_csv',

  sniff(text: string): boolean {
    const head = findCsvHead(text);
    return head !== null && head.header.some((h) => isLossLike(withoutUnit(h)));
  },

  parse(text: string, fileName: string): RunLog[] {
    return runsFromPlainTable(parseCsv(text, fileName, requireHead(findCsvHead(text), fileName)), fileName);
  },

  parseSource(source: TextSource, fileName: string): RunLog[] {
    return runsFromPlainTable(parseCsvBytes(source.utf8, fileName, headInBytes(source, requireHead(findCsvHead(source.prefix), fileName))), fileName);
  },
};

function runsFromPlainTable(table: CsvTable, fileName: string): RunLog[] {
  const names = table.header.map((h) => h.trim());
  const epochCol = names.findIndex((h) => EPOCH_NAMES.test(h));
  const stepCol = names.findIndex((h) => STEP_NAMES.test(h));
  const notes: string[] = [];
  let xColumn = -1;
  let xKind: 'epoch' | 'step' = 'epoch';
  let epochColumn: number | undefined;
  const epochRepeats = epochCol >= 0 && repeatsConsecutively(table.columns[epochCol]!.values, table.rows);
  if (epochCol >= 0 && !epochRepeats) {
    xColumn = epochCol;
  } else if (stepCol >= 0 && !(epochRepeats && restartsWithinEpochs(table.columns[stepCol]!.values, table.rows))) {
    // Several rows per epoch (or no epoch column): the step column is the x axis, the epoch column a label.
    xColumn = stepCol;
    xKind = 'step';
    epochColumn = epochCol;
  } else if (epochRepeats) {
    // Several rows per epoch and no global step: rows are numbered as steps.
    xKind = 'step';
    epochColumn = epochCol;
    notes.push(`several rows per ${names[epochCol]}${stepCol >= 0 ? ` and '${names[stepCol]}' restarts every epoch` : ''}: rows numbered as steps from 1`);
  } else {
    notes.push('no epoch or step column: rows numbered as epochs from 1');
  }
  const ignore = new Set<number>();
  names.forEach((h, k) => {
    // `Time (s)` is the time column with its unit.
    if (k !== xColumn && k !== epochColumn && (isIndexColumn(withoutUnit(h)) || EPOCH_NAMES.test(h) || STEP_NAMES.test(h) || h === '')) ignore.add(k);
  });
  // `Epoch | Training Loss | Validation Loss | Accuracy`, the transformers Trainer's notebook table (copied from
  // Jupyter as tab-separated text): its columns after the validation loss are the evaluation's, named from
  // `eval_accuracy` by dropping `eval_`; they get that name back.
  const rename = new Map<number, string>();
  for (const k of evaluatedColumns(names, (h) => EPOCH_NAMES.test(h) || STEP_NAMES.test(h) || isIndexColumn(h))) {
    if (k !== xColumn && k !== epochColumn && !ignore.has(k)) rename.set(k, `eval_${withoutUnit(names[k]!).toLowerCase().replace(/\s+/g, '_')}`);
  }
  if (rename.size) notes.push(`read as evaluation results, after the validation loss column: ${[...rename].map(([k, n]) => `'${names[k]}' → ${n}`).join(', ')}`);
  return runsFromEpochTable(table, fileName, {
    format: 'plain_csv',
    meta: { separator: table.separator },
    xColumn,
    xKind,
    epochColumn,
    rowBase: 1,
    ignore,
    notes,
    rename,
  });
}

function repeatsConsecutively(values: Float64Array, rows: number): boolean {
  for (let i = 1; i < rows; i++) if (values[i] === values[i - 1]) return true;
  return false;
}

/** A batch index that goes back while the epoch does not reset (it counts within each epoch). */
function restartsWithinEpochs(steps: Float64Array, rows: number): boolean {
  for (let i = 1; i < rows; i++) if (steps[i]! < steps[i - 1]!) return true;
  return false;
}
