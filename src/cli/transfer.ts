/**
 * `runmedic export FILE` and `runmedic import FILE`: a whole database as a dump (src/store/transfer/dump-file.ts),
 * to move a SQLite file into PostgreSQL and back:
 *   runmedic export all.jsonl --db runmedic.db && DATABASE_URL=postgres://… runmedic import all.jsonl
 */
import type { CliCommand, CliContext } from './command.ts';

async function tableIO(ctx: CliContext) {
  const { backendOf } = await import('../store/open-stores.ts');
  if (backendOf({ databaseUrl: ctx.databaseUrl }) === 'postgres') {
    const [{ openPgPool }, { pgTableIO }] = await Promise.all([import('../store/pg/pg-database.ts'), import('../store/transfer/pg-table-io.ts')]);
    const pool = await openPgPool(ctx.databaseUrl!, { max: 2 });
    return { io: pgTableIO(pool), backend: 'postgres', close: () => pool.end() };
  }
  const [{ openDatabase }, { sqliteTableIO }] = await Promise.all([import('../store/database.ts'), import('../store/transfer/sqlite-table-io.ts')]);
  const db = openDatabase(ctx.dbPath);
  return { io: sqliteTableIO(db), backend: 'sqlite', close: async () => db.close() };
}

const summary = (rows: Partial<Record<string, number>>) => `${rows.runs ?? 0} runs (${rows.chunks ?? 0} chunks), ${rows.jobs ?? 0} jobs, ${rows.api_tokens ?? 0} tokens, ${rows.alert_outbox ?? 0} alerts, ${rows.digest_schedules ?? 0} digest schedules`;

async function withDumpErrors<T>(fn: () => Promise<T>): Promise<T> {
  const [{ DumpError }, { UsageError }] = await Promise.all([import('../store/transfer/dump-file.ts'), import('./usage-error.ts')]);
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DumpError) throw new UsageError(e.message);
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new UsageError(`${(e as Error).message}`);
    throw e;
  }
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write the whole database (runs, jobs, tokens, alerts, digests) to a dump file that `runmedic import` loads into SQLite or PostgreSQL',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  async run(ctx, { positionals }) {
    const file = positionals[0]!;
    const { exportDump } = await import('../store/transfer/dump-file.ts');
    const t = await tableIO(ctx);
    try {
      const r = await withDumpErrors(() => exportDump(t.io, file, t.backend));
      ctx.err(`exported ${summary(r.rows)} from ${ctx.dbPath} (schema version ${r.schemaVersion}) to ${file}`);
    } finally {
      await t.close();
    }
  },
};

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'load a dump written by `runmedic export` into an empty database (SQLite file or DATABASE_URL), all or nothing',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  async run(ctx, { positionals }) {
    const file = positionals[0]!;
    const { importDump } = await import('../store/transfer/dump-file.ts');
    const t = await tableIO(ctx);
    try {
      const r = await withDumpErrors(() => importDump(t.io, file));
      ctx.err(`imported ${summary(r.rows)} into ${ctx.dbPath}`);
    } finally {
      await t.close();
    }
  },
};
