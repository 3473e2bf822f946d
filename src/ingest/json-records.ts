import type { RunLog } from '../domain/run.ts';
import { IngestError } from './ingest-error.ts';
import { jsonPathKey } from './json-path.ts';
import { parseJsonLenient } from './json-lenient.ts';
import type { FormatParser } from './parser.ts';
import { RecordCollector, isPlainObject } from './record-collector.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';

const SNIFF_CHARS = 8 * 1024;
/** A metric-log-like field name in the first record: an index or a loss/accuracy. */
const METRIC_FIELD = /"(?:epochs?|step|global_step|iter|iteration|[\w./-]*loss[\w./-]*|(?:val_|train_|test_)?acc(?:uracy)?|val_[\w./-]+)"\s*:/i;
/**
 * Names under which a script keeps its list of records beside other things (`{"config": {…}, "history": [{…}, …]}`):
 * a history, a log, per-epoch results. Other lists of objects in a JSON document (a schedule, a dataset) are not logs;
 * `log_history` is the transformers Trainer's state, its own reader's.
 */
const RECORDS_KEY = /^(?!log_history$)(?:[\w-]*[_-])?(?:history|log|logs|records|metrics|results|epochs|stats)$/i;
const WRAPPED_HEAD = /"((?:[^"\\]|\\.)*)"\s*:\s*\[\s*\{/g;

/**
 * A JSON list of per-epoch records, `[{"epoch": 1, "loss": 0.16, "val_loss": 0.17, …}, …]`, as written by
 * `json.dump([...])` loops and `pd.DataFrame(history).to_json(orient="records")`; also such a list kept under a key of
 * an object beside the run's settings (`json.dump({"config": vars(args), "history": records})`), the rest kept as meta.
 */
export const jsonRecordsParser: FormatParser = {
  format: 'keras_history',

  sniff(text: string): boolean {
    const head = text.slice(0, SNIFF_CHARS);
    if (/^\uFEFF?\s*\[\s*\{/.test(head)) return firstRecordHasMetric(head);
    if (!/^\uFEFF?\s*\{/.test(head)) return false;
    for (const m of head.matchAll(WRAPPED_HEAD)) {
      if (RECORDS_KEY.test(m[1]!) && firstRecordHasMetric(head.slice(m.index + m[0].length - 1))) return true;
    }
    return false;
  },

  parse(text: string, fileName: string): RunLog[] {
    const root = parseJsonLenient(text, fileName);
    if (!isPlainObject(root)) return recordListRuns(root, fileName);
    const key = Object.keys(root).find((k) => RECORDS_KEY.test(k) && startsWithRecord(root[k]));
    if (key === undefined) {
      throw new IngestError({ file: fileName, path: '$', reason: 'expected a list of per-epoch records under a key such as "history" or "log" ([{"epoch": 1, "loss": 0.5}, ...])' });
    }
    const runs = recordListRuns(root[key], fileName, jsonPathKey('$', key));
    for (const [k, v] of Object.entries(root)) if (k !== key) runs[0]!.meta![k] = v;
    runs[0]!.notes.push(`records read from "${key}"; ${Object.keys(root).length - 1} other key(s) kept as meta`);
    return runs;
  },
};

function firstRecordHasMetric(fromRecord: string): boolean {
  const end = fromRecord.indexOf('}');
  return METRIC_FIELD.test(end > 0 ? fromRecord.slice(0, end) : fromRecord);
}

/** A list whose first item is an object: the records' list (a later item that is not one is refused by its path). */
function startsWithRecord(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && isPlainObject(v[0]);
}

/** A parsed list of per-epoch records (from JSON or a Python literal) → its run. `path`: where the list is (messages). */
export function recordListRuns(root: unknown, fileName: string, path = '$'): RunLog[] {
  if (!Array.isArray(root)) {
    throw new IngestError({ file: fileName, path, reason: 'expected a JSON array of per-epoch records such as [{"epoch": 1, "loss": 0.5}, ...]' });
  }
  if (root.length === 0) throw new IngestError({ file: fileName, path, reason: 'empty list: expected per-epoch records' });
  const collector = new RecordCollector();
  root.forEach((rec, i) => {
    if (!isPlainObject(rec)) {
      throw new IngestError({ file: fileName, path: `${path}[${i}]`, reason: `expected an object (one record per epoch), found ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}` });
    }
    collector.add(rec);
  });
  const { series, notes, meta } = collector.finish();
  if (series.length === 0) {
    throw new IngestError({ file: fileName, path: `${path}[0]`, reason: 'no numeric metric fields: expected fields such as "loss" with numbers' });
  }
  return [{ name: runNameFromFileName(fileName), format: 'keras_history', series, notes, meta: { ...meta, layout: 'records' } }];
}
