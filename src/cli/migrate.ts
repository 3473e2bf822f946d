/** `runmedic migrate`: bring the database's schema up to date, once, before starting the processes that share it. */
import type { CliCommand } from './command.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply pending schema migrations to the database (SQLite file or DATABASE_URL); safe to run again or from several processes',
  args: '',
  maxArgs: 0,
  options: {
    json: { type: 'boolean', description: 'print JSON: {backend, where, applied, version}' },
  },
  async run(ctx, { values }) {
    const { migrateDatabase } = await import('../store/open-stores.ts');
    const r = await migrateDatabase({ databaseUrl: ctx.databaseUrl, dbPath: ctx.databaseUrl ? '' : ctx.dbPath });
    if (values.json) {
      ctx.out(JSON.stringify(r));
      return;
    }
    ctx.out(
      r.applied.length
        ? `${r.where}: applied migration${r.applied.length === 1 ? '' : 's'} ${r.applied.join(', ')}; schema version ${r.version}`
        : `${r.where}: up to date (schema version ${r.version})`,
    );
  },
};
