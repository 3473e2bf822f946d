import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from '../store/run-store.ts';
import type { JobStore } from '../store/job-store.ts';
import type { PushStore } from '../app/push-store.ts';
import type { Stores } from '../store/open-stores.ts';

/** What every subcommand gets: configuration, a lazily opened store, and where to write. */
export interface CliContext {
  config: Config;
  /**
   * Where the data is, for messages: the SQLite file in use (--db, else RUNMEDIC_DB, else ./runmedic.db), or the
   * PostgreSQL URL without its password (--db postgres://…, else DATABASE_URL).
   */
  dbPath: string;
  /** The PostgreSQL URL in use (with its password: never print it; redactUrl), when the store is PostgreSQL. */
  databaseUrl?: string | undefined;
  /** Every store of the database, opened (and migrated) on first call; the CLI closes them when the command returns. */
  openStores?(): Promise<Stores>;
  /** Opens the store on first call; the CLI closes it when the command returns. */
  openStore(): Promise<RunStore>;
  /** The training jobs of the same database (their measured contexts), opened on first call like the store. */
  openJobStore?(): Promise<JobStore>;
  /** The push API's records of the same database (a pushed run's declared config, classes, dataset), opened on first call. */
  openPushStore?(): Promise<PushStore>;
  /** Writes one line (a newline is added) to stdout: results, tables, JSON. */
  out(line: string): void;
  /** Writes one line to stderr: progress and hints, never data. */
  err(line: string): void;
  log: Logger;
  /** The package's root directory, for bundled files such as examples/. */
  packageRoot: string;
}

export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help, e.g. 'print JSON instead of a table'. */
  description: string;
  /** The placeholder for a string option's value in --help, e.g. 'N'. */
  valueName?: string;
  multiple?: boolean;
}

export interface CliArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

/**
 * One subcommand. To add one: create src/cli/<name>.ts exporting a CliCommand and add an entry (name, summary,
 * loader) to the list in src/cli/commands.ts. Parse and present only; the behaviour belongs in a use case in src/app/.
 * Throw the typed user errors (IngestError, RunNotFoundError, UsageError …): the CLI turns them into exit code 2.
 */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Positional part of the usage line, e.g. '<file|dir|zip>...'. */
  args: string;
  options?: Record<string, CliOption>;
  /** The log level when LOG_LEVEL is unset (default 'warn': a short command stays quiet); a server says 'info'. */
  defaultLogLevel?: 'info' | 'warn';
  /** What the exit codes mean, when the command has its own beyond 0/1/2; printed by --help. */
  exitCodes?: string;
  /** Least and most positionals accepted (default 0 and Infinity). */
  minArgs?: number;
  maxArgs?: number;
  /** Returns the exit code (default 0). */
  run(ctx: CliContext, args: CliArgs): Promise<number | void>;
}
