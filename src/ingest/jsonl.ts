import type { RunLog } from '../domain/run.ts';
import { IngestError } from './ingest-error.ts';
import { parseJsonLenient } from './json-lenient.ts';
import type { FormatParser } from './parser.ts';
import { RecordCollector, isPlainObject } from './record-collector.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { toMetricValue } from './metric-value.ts';

/** A field name that marks a training-metrics record rather than a data record. */
const METRIC_LIKE_KEY = /loss|acc|epoch|step|iter|^it$|^lr$|learning_rate|grad_norm|metric|score|f1|map|iou|auc|ppl|perplexity|bleu|rouge|wer|cer|top-?[15]/i;
/** The longest line sniffing will look at (mmcv's header line carries the whole config text). */
const SNIFF_MAX_LINE = 1024 * 1024;

/**
 * Generic JSON Lines metric logs: one object per line (mmseg/mmdet `log.json` with `mode`/`epoch`/`iter`,
 * detectron2 `metrics.json`, ad-hoc `{"step": 10, "loss": 0.3}` loggers). A line that is not a JSON object is an
 * error naming that line, except an unterminated last line, which a run still being written leaves behind.
 */
export const jsonlParser: FormatParser = {
  format: 'jsonl',

  sniff(text: string): boolean {
    const lines = firstLines(text, 2);
    const first = lines[0];
    if (first === undefined || !first.startsWith('{') || !first.endsWith('}')) return false;
    // The first line must be a whole record, so a pretty-printed JSON document does not qualify; a single-line
    // document qualifies only as a one-record file with a numeric field.
    const second = lines[1];
    if (second === undefined) return isRecordLine(first, true);
    if (!second.startsWith('{')) return false;
    return isRecordLine(first, false) && isRecordLine(second, true);
  },

  parse(text: string, fileName: string): RunLog[] {
    const collector = new RecordCollector();
    const notes: string[] = [];
    const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let lastContent = text.length - 1;
    while (lastContent >= 0 && isSpace(text.charCodeAt(lastContent))) lastContent--;
    const endsWithNewline = text.indexOf('\n', lastContent) >= 0;
    let pos = start;
    let lineNo = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      lineNo++;
      const line = text.slice(pos, end).trim();
      const isLast = end > lastContent;
      pos = end + 1;
      if (line === '') continue;
      let value: unknown;
      try {
        value = parseJsonLenient(line, fileName, { firstLine: lineNo });
      } catch (e) {
        if (isLast && !endsWithNewline && collector.recordCount > 0) {
          notes.push(`line ${lineNo} is incomplete (the run may still be writing this file): skipped`);
          break;
        }
        throw e;
      }
      if (!isPlainObject(value)) {
        throw new IngestError({ file: fileName, line: lineNo, reason: `expected a JSON object (one record per line), found ${describe(value)}` });
      }
      collector.add(value);
    }
    if (collector.recordCount === 0) {
      throw new IngestError({ file: fileName, reason: 'no metric records: expected JSON objects with numeric fields, one per line' });
    }
    const { series, notes: collected, meta } = collector.finish();
    if (series.length === 0) {
      throw new IngestError({ file: fileName, reason: 'no numeric metric fields in any record (expected fields such as "loss" with numbers)' });
    }
    return [{ name: runNameFromFileName(fileName), format: 'jsonl', series, notes: [...notes, ...collected], meta }];
  },
};

/** Up to `n` non-blank lines from the start, trimmed; stops at a line longer than SNIFF_MAX_LINE. */
function firstLines(text: string, n: number): string[] {
  const out: string[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (out.length < n && pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (end - pos > SNIFF_MAX_LINE) break;
    const line = text.slice(pos, end).trim();
    if (line) out.push(line);
    pos = end + 1;
  }
  return out;
}

function isRecordLine(line: string, requireNumber: boolean): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Python writes bare NaN/Infinity; a line that only fails on those still counts as a record.
    try {
      value = JSON.parse(line.replace(/(?<=[:,[]\s*)-?(NaN|Infinity)(?=\s*[,}\]])/g, '0'));
    } catch {
      return false;
    }
  }
  if (!isPlainObject(value)) return false;
  const values = Object.values(value);
  // Keras history on one line is an object of number arrays, a minified trainer_state holds an array of objects;
  // a record holds scalars, though a few lists may sit beside them (DETR logs the COCO stats as one list).
  const lists = values.filter((v) => Array.isArray(v) && v.length > 0 && (typeof v[0] === 'number' || isPlainObject(v[0]))).length;
  if (lists > 0 && lists * 2 >= values.length) return false;
  if (!requireNumber) return true;
  // Dataset files are JSONL too ({"text": …, "label": 1}): a metric log names a step, an epoch or a metric.
  const keys = Object.entries(value).flatMap(([k, v]) => (isPlainObject(v) ? Object.keys(v).map((sub) => `${k}/${sub}`) : [k]));
  return values.some((v) => toMetricValue(v) !== undefined || isPlainObject(v)) && keys.some((k) => METRIC_LIKE_KEY.test(k));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
