/**
 * TableIO on PostgreSQL: reads through a cursor, writes in one transaction (the point chunks with a binary COPY, the
 * other tables with multi-row INSERTs), then moves the serials on.
 */
import { checkOut } from '../pg/pg-checkout.ts';
import { binaryCopyMessages, copyFrom, type CopyField } from '../pg/pg-copy.ts';
import { inTransaction, pgSchemaVersion, type PgPool } from '../pg/pg-database.ts';
import type { Row, TableIO, TableName } from './table-io.ts';

const BATCH = 256;
/** Tables whose key PostgreSQL draws from a sequence: after an import the sequence continues after the largest value. */
const SERIALS: [TableName, string][] = [['runs', 'seq'], ['run_verdicts', 'seq'], ['alert_outbox', 'id'], ['jobs', 'seq']];
const ORDER: Partial<Record<TableName, string>> = {
  runs: 'seq', run_verdicts: 'seq', alert_outbox: 'id', jobs: 'seq', series: 'run_id, idx', chunks: 'run_id, series_idx, seq', lr_find_results: 'created_at, key',
};

/**
 * Tables written with a binary COPY (pg-copy.ts), as an ingest writes its chunks: their columns in order and each one's
 * type. The chunks are nearly all of a dump's bytes; as multi-row INSERTs each blob was copied over and over into
 * megabyte Bind messages. Binary COPY sends every value in its column's own wire format, so a batch is copied only
 * when each value is of its column's type (what `runmedic export` writes); any other batch is INSERTed, where the
 * server converts or refuses the values as usual.
 */
const COPY: Partial<Record<TableName, readonly (readonly [string, 'text' | 'int4' | 'bytea'])[]>> = {
  chunks: [['run_id', 'text'], ['series_idx', 'int4'], ['seq', 'int4'], ['n', 'int4'], ['steps', 'bytea'], ['epochs', 'bytea'], ['wall_times', 'bytea'], ['vals', 'bytea']],
};

const fits: Record<'text' | 'int4' | 'bytea', (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string',
  int4: (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31,
  bytea: (v) => v instanceof Uint8Array,
};

/** `rows` as COPY fields in `columns`' order, or null when a row has other columns or a value of another type. */
function copyRows(rows: Row[], columns: readonly (readonly [string, 'text' | 'int4' | 'bytea'])[]): CopyField[][] | null {
  const out: CopyField[][] = [];
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return null;
    const fields: CopyField[] = [];
    for (const [name, type] of columns) {
      const v = row[name];
      if (v !== null && !fits[type](v)) return null;
      fields.push(v as CopyField);
    }
    out.push(fields);
  }
  return out;
}

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
          const columns = COPY[table];
          const copied = columns ? copyRows(rows, columns) : null;
          if (copied) {
            await copyFrom(c, `COPY ${table} (${columns!.map(([name]) => name).join(', ')}) FROM STDIN (FORMAT binary)`, binaryCopyMessages(copied));
            return;
          }
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
