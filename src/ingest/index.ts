/**
 * The ingest entry points: bytes of a file, or the files of a directory or archive → runs. The format is sniffed from
 * the content, never from the file name. Ingest is all-or-nothing: a file that looks like a log and fails to parse
 * fails the whole call; files that are plainly not logs (a README, an image) are skipped with a note.
 */
import type { RunLog } from '../domain/run.ts';
import { isZip, unzipEntries } from './archive.ts';
import { findCsvHead } from './csv.ts';
import { consoleTextParser, literalFailureIn, noTrainingRecords, readConsoleSource } from './console/console-reader.ts';
import { assertLineLengthsUtf8, openText, openTextLenient, type TextSource } from './decode.ts';
import type { FileEntry } from './entries.ts';
import { noLossColumn } from './epoch-table.ts';
import { hfTrainerStateParser } from './hf-trainer-state.ts';
import { IngestError } from './ingest-error.ts';
import { parseJsonLenient } from './json-lenient.ts';
import { jsonRecordsParser } from './json-records.ts';
import { jsonlParser } from './jsonl.ts';
import { kerasCsvParser } from './keras-csv.ts';
import { kerasHistoryParser } from './keras-history.ts';
import { kerasTextParser } from './keras-text.ts';
import { lightningCsvParser } from './lightning-csv.ts';
import { literalStart, pythonLiteralParser, runsFromLiteral } from './literal-history.ts';
import { isMlflowTree, parseMlflowTree } from './mlflow.ts';
import type { FormatParser } from './parser.ts';
import { plainCsvParser } from './plain-csv.ts';
import { parsePythonLiteral } from './python-literal.ts';
import { pytorchTextParser } from './pytorch-text.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { isTfeventsFile, parseTfeventsTree } from './tfevents/index.ts';

export { IngestError, isIngestError } from './ingest-error.ts';
export type { FileEntry } from './entries.ts';

/**
 * Text formats in the order they are asked. Specific before generic: trainer_state before the other JSON shapes, the
 * Lightning and Keras CSV headers before any table with a loss column; a printed Python literal (`print(history.history)`)
 * after the JSON shapes and before the tables (its commas are no CSV); console logs last (their sniffers scan the
 * text), and behind the exact console readers the general one, which claims any text holding training records.
 */
export const TEXT_PARSERS: readonly FormatParser[] = [
  hfTrainerStateParser,
  kerasHistoryParser,
  jsonRecordsParser,
  jsonlParser,
  pythonLiteralParser,
  lightningCsvParser,
  kerasCsvParser,
  plainCsvParser,
  kerasTextParser,
  pytorchTextParser,
  consoleTextParser,
];

/** Files that belong to an MLflow file store (the MLflow parser reads them as a whole). */
const MLFLOW_FILE = /(^|\/)(metrics|params|tags)\/|(^|\/)meta\.yaml$/;

export interface ParseOptions {
  /** Most bytes the archives of one call may inflate to in all (INGEST_MAX_BYTES); see archive.ts. */
  maxInflatedBytes?: number;
}

/** One file → its runs: a zip is opened (one level), an event file goes to the TensorBoard reader, text is sniffed. */
export function parseFile(bytes: Uint8Array, fileName: string, opts: ParseOptions = {}): RunLog[] {
  if (isZip(bytes)) return parseEntriesAt(unzipEntries(bytes, fileName, { maxTotalBytes: opts.maxInflatedBytes }), fileName, 1);
  // Errors name the path as given (a base name alone does not say which of many runs' event files is broken).
  if (looksLikeTfevents(bytes)) return parseTfeventsTree([{ path: baseName(fileName), bytes }], runNameFromFileName(fileName), { fileName });
  let source: TextSource;
  try {
    source = openText(bytes, fileName);
  } catch (err) {
    const runs = damagedConsoleText(err, bytes, fileName);
    if (runs) return runs;
    throw err;
  }
  const parser = sniffText(source);
  if (!parser) throw unrecognised(source, fileName);
  return runParser(parser, source, fileName);
}

/**
 * The files of a directory or an unpacked archive → runs. `rootName` names the directory or archive in messages and
 * run names. An MLflow store goes to the MLflow reader, event files (grouped by folder) to the TensorBoard reader,
 * every other file through `parseFile`; archives inside archives are not opened.
 */
export function parseEntries(entries: FileEntry[], rootName: string, opts: ParseOptions = {}): RunLog[] {
  return parseEntriesAt(entries, rootName, 0, opts.maxInflatedBytes);
}

/** `inflateBudget`: bytes the archives among the entries may still inflate to, together. */
function parseEntriesAt(entries: FileEntry[], rootName: string, depth: number, inflateBudget?: number): RunLog[] {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const runs: RunLog[] = [];
  const skipped: string[] = [];
  let rest = sorted;
  if (isMlflowTree(sorted)) {
    runs.push(...parseMlflowTree(sorted.filter((e) => MLFLOW_FILE.test(e.path)), rootName));
    rest = sorted.filter((e) => !MLFLOW_FILE.test(e.path));
  }
  const events = rest.filter((e) => looksLikeTfevents(e.bytes));
  if (events.length > 0) runs.push(...parseTfeventsTree(events, rootName));

  const fileRuns: Array<{ path: string; runs: RunLog[] }> = [];
  for (const e of rest) {
    if (events.includes(e)) continue;
    const name = `${rootName}/${e.path}`;
    if (isZip(e.bytes)) {
      if (depth > 0) skipped.push(`${e.path} (archive inside an archive: not opened)`);
      else {
        const members = unzipEntries(e.bytes, name, { maxTotalBytes: inflateBudget });
        if (inflateBudget !== undefined) inflateBudget -= members.reduce((n, m) => n + m.bytes.byteLength, 0);
        fileRuns.push({ path: e.path, runs: parseEntriesAt(members, name, depth + 1) });
      }
      continue;
    }
    let source: TextSource;
    try {
      source = openText(e.bytes, name);
    } catch (err) {
      const read = damagedConsoleText(err, e.bytes, name);
      if (read) {
        fileRuns.push({ path: e.path, runs: read });
        continue;
      }
      if (err instanceof IngestError) {
        skipped.push(`${e.path} (${err.reason.split(':')[0]})`);
        continue;
      }
      throw err;
    }
    const parser = sniffText(source);
    if (!parser) {
      const head = findCsvHead(source.prefix);
      skipped.push(`${e.path} (${head ? 'a table without a loss-like column' : 'not a recognised training log'})`);
      continue;
    }
    fileRuns.push({ path: e.path, runs: runParser(parser, source, name) });
  }
  // Many logs share a file name (lightning_logs/version_N/metrics.csv): such runs are named after their folder too.
  const counts = new Map<string, number>();
  for (const f of fileRuns) for (const r of f.runs) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  for (const f of fileRuns) {
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
    for (const r of f.runs) {
      if (dir && (counts.get(r.name) ?? 0) > 1) r.name = `${dir}/${r.name}`;
      runs.push(r);
    }
  }
  if (runs.length === 0) {
    throw new IngestError({
      file: rootName,
      reason: `no training logs found among ${entries.length} file(s)${skipped.length ? `: skipped ${skipped.slice(0, 10).join(', ')}${skipped.length > 10 ? ` and ${skipped.length - 10} more` : ''}` : ''}`,
    });
  }
  if (skipped.length > 0) runs[0]!.notes.push(`skipped ${skipped.length} file(s) that are not training logs: ${skipped.slice(0, 20).join(', ')}${skipped.length > 20 ? ' …' : ''}`);
  return runs;
}

/** The first text parser that claims the content, or null. */
export function sniffText(source: TextSource): FormatParser | null {
  for (const p of TEXT_PARSERS) if (p.sniff(source.prefix)) return p;
  return null;
}

function runParser(parser: FormatParser, source: TextSource, fileName: string): RunLog[] {
  // JSON documents may legitimately be one long line (compact dumps); everything else is line-oriented.
  if (!/^\s*[[{]/.test(source.prefix.slice(0, 256))) assertLineLengthsUtf8(source.utf8, fileName);
  const runs = parser.parseSource ? parser.parseSource(source, fileName) : parser.parse(source.text(), fileName);
  return parser === kerasTextParser || parser === pytorchTextParser ? withConsoleExtras(runs, source, fileName) : runs;
}

/**
 * An exact console reader reads what it knows (Keras' epoch bars, the PyTorch examples' lines); a script often prints
 * more beside it (a `logging` summary per epoch with the test accuracy). What the general reader finds in the same
 * text under a key and split the exact run lacks is added to it, saying so; the exact series stay as read.
 */
function withConsoleExtras(runs: RunLog[], source: TextSource, fileName: string): RunLog[] {
  let general: RunLog[];
  try {
    general = readConsoleSource(source, fileName);
  } catch (err) {
    if (err instanceof IngestError) return runs;
    throw err;
  }
  if (general.length !== runs.length) return runs;
  runs.forEach((run, i) => {
    // Only metrics the exact reader has none of: a Keras bar's intermediate states are not new step-level series. A
    // per-epoch summary of a metric the exact reader has per step only (`Epoch [3/6] Train Loss: …` after the
    // tutorial's `Epoch [3/6], Step [100/469], Loss: …`) is new: the epoch's mean, not a batch's value.
    const added = general[i]!.series.filter((g) => !run.series.some((s) => s.key === g.key && s.split === g.split && (s.cadence === g.cadence || g.cadence === 'step')));
    if (added.length === 0) return;
    for (const g of added) if (run.series.some((s) => s.name === g.name)) g.name = `${g.name}_epoch`;
    run.series.push(...added);
    run.notes.push(`also read by the general console reader: ${added.map((s) => `${s.name} (${s.cadence}-level)`).join(', ')}`);
  });
  return runs;
}

/**
 * Text that is not valid UTF-8 or holds NULs is refused by `openText`; when it is console output with a few such
 * bytes, the general reader reads it with them replaced, and says so. null when it is not (the refusal stands).
 */
function damagedConsoleText(err: unknown, bytes: Uint8Array, fileName: string): RunLog[] | null {
  if (!(err instanceof IngestError) || !/^(invalid UTF-8|not a text log: binary data \(NUL)/.test(err.reason)) return null;
  const lenient = openTextLenient(bytes, fileName);
  if (!lenient || !consoleTextParser.sniff(lenient.source.prefix)) return null;
  let runs: RunLog[];
  try {
    runs = readConsoleSource(lenient.source, fileName);
  } catch (e) {
    if (e instanceof IngestError) return null;
    throw e;
  }
  if (runs.length === 0) return null;
  const what = [
    lenient.replaced ? `${lenient.replaced} byte sequence(s) that are not UTF-8 replaced` : '',
    lenient.nulsDropped ? `${lenient.nulsDropped} NUL byte(s) dropped` : '',
  ].filter(Boolean);
  runs[0]!.notes.push(`read as console output with ${what.join(' and ')} (${err.message.replace(/: expected .*$/, '')})`);
  return runs;
}

function unrecognised(source: TextSource, fileName: string): IngestError {
  const literal = literalStart(source.prefix);
  // A history printed as a literal among other output, cut off or mangled: where it went wrong.
  const failed = literal < 0 ? literalFailureIn(source.prefix, fileName) : null;
  if (failed) return failed;
  if (literal >= 0 && looksPythonic(source.prefix.slice(literal, literal + 4096))) {
    // A printed Python literal no reader claimed: its syntax error (line and column), or what it holds instead of a
    // history, or what follows it.
    const text = source.text();
    const value = parsePythonLiteral(text.slice(literal), fileName, { firstLine: countLines(text.slice(0, literal)) + 1 });
    runsFromLiteral(value, fileName, 'the printed Python literal');
  }
  const head = findCsvHead(source.prefix);
  if (head) return noLossColumn(head, fileName);
  if (/^\s*(?:\{\s*(?:"|\}|$)|\[\s*(?:[-"{[\]\d]|true|false|null|NaN|$))/.test(source.prefix.slice(0, 256))) {
    // JSON no parser claimed: a syntax error or too deep a nesting is the more useful message (line and column).
    parseJsonLenient(source.text(), fileName);
    return new IngestError({
      file: fileName,
      path: '$',
      reason:
        'JSON of an unrecognised shape: expected a Keras History ({"loss": [...], "val_loss": [...]}), a list of per-epoch records ' +
        '([{"epoch": 1, "loss": ...}]), a Hugging Face trainer_state.json ({"log_history": [...]}) or JSON Lines metrics',
    });
  }
  return noTrainingRecords(fileName, countLines(source.prefix));
}

/** A literal in Python's syntax rather than JSON's: a single-quoted string, a call, a tuple, True/None before any `"`. */
function looksPythonic(head: string): boolean {
  const firstDouble = head.indexOf('"');
  const m = /'|\b(?:True|False|None|nan|inf)\b|\w\(|^\(|\(\s*'/.exec(head);
  return m !== null && (firstDouble < 0 || m.index < firstDouble);
}

function countLines(text: string): number {
  let n = text.length > 0 && !text.endsWith('\n') ? 1 : 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function looksLikeTfevents(bytes: Uint8Array): boolean {
  try {
    return isTfeventsFile(bytes);
  } catch {
    // A content probe on arbitrary bytes: anything it cannot make sense of is simply not an event file.
    return false;
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
