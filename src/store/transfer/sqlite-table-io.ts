/** TableIO on a SQLite file: rowid travels as `seq` for the tables whose order PostgreSQL keeps in a seq column. */
import type { Database } from 'better-sqlite3';
import type { Row, TableIO, TableName } from './table-io.ts';

const ROWID_AS_SEQ = new Set<TableName>(['runs', 'run_verdicts']);
const BATCH = 256;

export function sqliteTableIO(db: Database): TableIO {
  return {
    async schemaVersion() {
      return (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    },
    async rowCount(table) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    },
    async *read(table) {
      const sql = ROWID_AS_SEQ.has(table) ? `SELECT rowid AS seq, * FROM ${table} ORDER BY rowid` : `SELECT * FROM ${table} ORDER BY rowid`;
      let batch: Row[] = [];
      for (const row of db.prepare(sql).iterate() as IterableIterator<Row>) {
        batch.push(row);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    async write(fn) {
      const statements = new Map<string, ReturnType<Database['prepare']>>();
      db.exec('BEGIN IMMEDIATE');
      try {
        const r = await fn(async (table, rows) => {
          for (const row of rows) {
            const cols = Object.keys(row).map((c) => (c === 'seq' && ROWID_AS_SEQ.has(table) ? 'rowid' : c));
            const key = `${table}(${cols.join(',')})`;
            let st = statements.get(key);
            if (!st) statements.set(key, (st = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)));
            st.run(Object.values(row));
          }
        });
        db.exec('COMMIT');
        return r;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
  };
}
