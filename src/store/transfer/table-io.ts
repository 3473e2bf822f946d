/**
 * Moving a whole database between SQLite and PostgreSQL (`runmedic export|import`): both schemas have the same tables
 * and columns (migrations.ts, pg/pg-migrations.ts), so a dump is rows by table, in an order that satisfies the
 * foreign keys. Each backend implements TableIO; the dump format is in dump-file.ts.
 */

/** Parents before children. `seq` of runs/run_verdicts is PostgreSQL's column for SQLite's rowid. */
export const TABLES = [
  'runs', 'series', 'chunks',
  'alert_settings', 'run_verdicts', 'alerted_findings', 'run_mutes', 'run_threads', 'alert_outbox', 'alert_rearms',
  'jobs', 'api_tokens', 'pushed_runs', 'digest_schedules', 'digest_slots', 'thread_reading',
  'lr_find_results',
] as const;

export type TableName = (typeof TABLES)[number];

export type Row = Record<string, unknown>;

export interface TableIO {
  schemaVersion(): Promise<number>;
  /** Rows already in the tables an import would fill (an import goes into an empty database only). */
  rowCount(table: TableName): Promise<number>;
  /** Every row of a table, in a stable order, in batches (a large chunks table is never held at once). */
  read(table: TableName): AsyncIterable<Row[]>;
  /** Inside `write`'s transaction: inserts rows (columns the target does not have are an error). */
  write<T>(fn: (insert: (table: TableName, rows: Row[]) => Promise<void>) => Promise<T>): Promise<T>;
}
