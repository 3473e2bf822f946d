/**
 * The only error a parser may throw: bad input the user can fix. `file` names the file (or the archive member),
 * `line` is 1-based where a line is meaningful, `path` a JSON path ("$.log_history[12].loss") where it is not.
 */
export class IngestError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly path?: string;
  readonly reason: string;

  constructor(opts: { file: string; reason: string; line?: number; path?: string }) {
    const where = opts.line !== undefined ? `:${opts.line}` : opts.path !== undefined ? ` at ${opts.path}` : '';
    super(`${opts.file}${where}: ${opts.reason}`);
    this.name = 'IngestError';
    this.file = opts.file;
    this.line = opts.line;
    this.path = opts.path;
    this.reason = opts.reason;
  }
}

export function isIngestError(e: unknown): e is IngestError {
  return e instanceof IngestError;
}
