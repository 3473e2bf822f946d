import type { LogFormat, RunLog } from '../domain/run.ts';

/**
 * A format parser: decoded text (or raw bytes for binary formats) of one file → the runs it holds.
 * Pure. Throws only IngestError. `fileName` is for messages and run names, never for choosing the format.
 */
export interface FormatParser {
  format: LogFormat;
  /** Cheap check on the start of the content; the first parser that claims a file parses it. */
  sniff(text: string): boolean;
  parse(text: string, fileName: string): RunLog[];
}
