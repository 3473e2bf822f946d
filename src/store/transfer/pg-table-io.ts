/** TableIO on PostgreSQL: reads through a cursor, writes multi-row INSERTs in one transaction, then moves the serials on. */
import { checkOut } from '../pg/pg-checkout.ts';
import { inTransaction, pgSchemaVersion, type PgPool } from '../pg/pg-database.ts';
import type { Row, TableIO, TableName } from './table-io.ts';

const BATCH = 256;
/** Tables whose key PostgreSQL draws from a sequence: after an import the sequence continues after the largest value. */
const SERIALS: [TableName, string][] = [['runs', 'seq'], ['run_verdicts', 'seq'], ['alert_outbox', 'id'], ['jobs', 'seq']];
const ORDER: Partial<Record<TableName, string>> = {
  runs: 'seq', run_verdicts: 'seq', alert_outbox: 'id', jobs: 'seq', series: 'run_id, idx', chunks: 'run_id, series_idx, seq', lr_find_results: 'created_at, key',
};

export function pgTableIO(pool: PgPool): TableIO {
  return {
    schemaVersion: () => pgSchemaVersion(pool),
    async rowCount(table) {
      return Number((await pool.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
    },
    async *read(table) {
      const out = await checkOut(pool);
      const c = out.client;
      let finished = false;
      try {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`DECLARE dump CURSOR FOR SELECT * FROM ${table}${ORDER[table] ? ` ORDER BY ${ORDER[table]}` : ''}`);
        for (;;) {
          const r = await c.query<Row>(`FETCH ${BATCH} FROM dump`);
          if (!r.rows.length) break;
          yield r.rows;
        }
        await c.query('COMMIT');
        finished = true;
      } finally {
        // Not read to the end (an error, a lost connection, a reader that stopped early): the connection is closed
        // with its transaction and cursor rather than returned to the pool inside them.
        out.release(!finished);
      }
    },
    write(fn) {
      return inTransaction(pool, async (c) => {
        const r = await fn(async (table, rows) => {
          if (!rows.length) return;
          const cols = Object.keys(rows[0]!);
          const values: unknown[] = [];
          const tuples = rows.map((row) => `(${cols.map((col) => (values.push(row[col]), `$${values.length}`)).join(', ')})`);
          await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
        });
        for (const [table, col] of SERIALS) {
          await c.query(`SELECT setval(pg_get_serial_sequence('${table}', '${col}'), GREATEST(COALESCE((SELECT MAX(${col}) FROM ${table}), 0), 1))`);
        }
        return r;
      });
    },
  };
}
