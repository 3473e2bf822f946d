/**
 * The dump `runmedic export` writes and `runmedic import` reads: JSON lines, a header
 * `{"runmedic":"dump","version":1,"schemaVersion":N,"from":"sqlite"}`, then one `{"t":table,"r":row}` per row, tables
 * in TABLES order; binary columns (the point chunks) as `{"$b64":"…"}`. Plain text, so it survives any copy, and the
 * same file loads into either backend.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TABLES, type Row, type TableIO, type TableName } from './table-io.ts';

export class DumpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpError';
  }
}

export interface TransferReport {
  schemaVersion: number;
  rows: Partial<Record<TableName, number>>;
}

const encode = (row: Row): Row => {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : v;
  return out;
};

const decode = (row: Row): Row => {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v !== null && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string' ? Buffer.from((v as { $b64: string }).$b64, 'base64') : v;
  }
  return out;
};

export async function exportDump(io: TableIO, file: string, from: string): Promise<TransferReport> {
  const schemaVersion = await io.schemaVersion();
  const fd = openSync(file, 'w');
  const rows: TransferReport['rows'] = {};
  try {
    writeSync(fd, `${JSON.stringify({ runmedic: 'dump', version: 1, schemaVersion, from })}\n`);
    for (const table of TABLES) {
      let n = 0;
      for await (const batch of io.read(table)) {
        writeSync(fd, batch.map((r) => `${JSON.stringify({ t: table, r: encode(r) })}\n`).join(''));
        n += batch.length;
      }
      rows[table] = n;
    }
  } finally {
    closeSync(fd);
  }
  return { schemaVersion, rows };
}

/** Loads a dump into an empty database in one transaction: all of it, or (on any error) nothing. */
export async function importDump(io: TableIO, file: string): Promise<TransferReport> {
  for (const table of ['runs', 'jobs', 'api_tokens', 'alert_settings', 'digest_schedules'] as const) {
    if ((await io.rowCount(table)) > 0) throw new DumpError(`the target database already has ${table}: import into an empty database (a new file, or a fresh PostgreSQL database after \`runmedic migrate\`)`);
  }
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  let header: { runmedic?: string; version?: number; schemaVersion?: number };
  try {
    header = first.done ? {} : (JSON.parse(first.value) as typeof header);
  } catch {
    header = {};
  }
  if (header.runmedic !== 'dump' || header.version !== 1 || typeof header.schemaVersion !== 'number') {
    throw new DumpError(`${file}: not a runmedic dump (its first line should be the {"runmedic":"dump",…} header that \`runmedic export\` writes)`);
  }
  const target = await io.schemaVersion();
  if (header.schemaVersion > target) throw new DumpError(`${file}: written at schema version ${header.schemaVersion}, newer than this database's ${target}; upgrade runmedic and run \`runmedic migrate\``);
  const known = new Set<string>(TABLES);
  const rows: TransferReport['rows'] = {};
  await io.write(async (insert) => {
    let table: TableName | null = null;
    let batch: Row[] = [];
    const flush = async () => {
      if (table && batch.length) await insert(table, batch);
      batch = [];
    };
    let lineNo = 1;
    for (let next = await it.next(); !next.done; next = await it.next()) {
      lineNo++;
      if (!next.value.trim()) continue;
      let rec: { t?: string; r?: Row };
      try {
        rec = JSON.parse(next.value) as typeof rec;
      } catch {
        throw new DumpError(`${file}:${lineNo}: not JSON (a truncated dump?)`);
      }
      if (!rec.t || !known.has(rec.t) || !rec.r || typeof rec.r !== 'object') throw new DumpError(`${file}:${lineNo}: expected {"t": <table>, "r": {…}}`);
      if (rec.t !== table || batch.length >= 256) {
        await flush();
        table = rec.t as TableName;
      }
      batch.push(decode(rec.r));
      rows[table] = (rows[table] ?? 0) + 1;
    }
    await flush();
  });
  return { schemaVersion: header.schemaVersion, rows };
}
