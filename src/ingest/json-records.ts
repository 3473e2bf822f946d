import type { RunLog } from '../domain/run.ts';
import { IngestError } from './ingest-error.ts';
import { parseJsonLenient } from './json-lenient.ts';
import type { FormatParser } from './parser.ts';
import { RecordCollector, isPlainObject } from './record-collector.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';

const SNIFF_CHARS = 8 * 1024;
/** A metric-log-like field name in the first record: an index or a loss/accuracy. */
const METRIC_FIELD = /"(?:epochs?|step|global_step|iter|iteration|[\w./-]*loss[\w./-]*|(?:val_|train_|test_)?acc(?:uracy)?|val_[\w./-]+)"\s*:/i;

/**
 * A JSON list of per-epoch records, `[{"epoch": 1, "loss": 0.16, "val_loss": 0.17, …}, …]`, as written by
 * `json.dump([...])` loops and `pd.DataFrame(history).to_json(orient="records")`.
 */
export const jsonRecordsParser: FormatParser = {
  format: 'keras_history',

  sniff(text: string): boolean {
    const head = text.slice(0, SNIFF_CHARS);
    if (!/^\uFEFF?\s*\[\s*\{/.test(head)) return false;
    const firstRecordEnd = head.indexOf('}');
    return METRIC_FIELD.test(firstRecordEnd > 0 ? head.slice(0, firstRecordEnd) : head);
  },

  parse(text: string, fileName: string): RunLog[] {
    return recordListRuns(parseJsonLenient(text, fileName), fileName);
  },
};

/** A parsed list of per-epoch records (from JSON or a Python literal) → its run. */
export function recordListRuns(root: unknown, fileName: string): RunLog[] {
  if (!Array.isArray(root)) {
    throw new IngestError({ file: fileName, path: '$', reason: 'expected a JSON array of per-epoch records such as [{"epoch": 1, "loss": 0.5}, ...]' });
  }
  if (root.length === 0) throw new IngestError({ file: fileName, path: '$', reason: 'empty list: expected per-epoch records' });
  const collector = new RecordCollector();
  root.forEach((rec, i) => {
    if (!isPlainObject(rec)) {
      throw new IngestError({ file: fileName, path: `$[${i}]`, reason: `expected an object (one record per epoch), found ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}` });
    }
    collector.add(rec);
  });
  const { series, notes, meta } = collector.finish();
  if (series.length === 0) {
    throw new IngestError({ file: fileName, path: '$[0]', reason: 'no numeric metric fields: expected fields such as "loss" with numbers' });
  }
  return [{ name: runNameFromFileName(fileName), format: 'keras_history', series, notes, meta: { ...meta, layout: 'records' } }];
}
