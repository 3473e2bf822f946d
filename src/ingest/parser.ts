import type { LogFormat, RunLog } from '../domain/run.ts';
import type { TextSource } from './decode.ts';

/**
 * A format parser: decoded text (or raw bytes for binary formats) of one file → the runs it holds.
 * Pure. Throws only IngestError. `fileName` is for messages and run names, never for choosing the format.
 */
export interface FormatParser {
  format: LogFormat;
  /** Cheap check on the start of the content (parseFile passes about the first 2 MiB, cut at a line break); the first parser that claims a file parses it. */
  sniff(text: string): boolean;
  parse(text: string, fileName: string): RunLog[];
  /**
   * Optional faster path given the validated source (its UTF-8 bytes), so a large CSV is tokenised without building
   * one string as large as the file. Must return what `parse(source.text(), fileName)` would.
   */
  parseSource?(source: TextSource, fileName: string): RunLog[];
}
