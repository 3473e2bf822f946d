/**
 * A throwaway PostgreSQL for tests: `initdb` + `pg_ctl` in a temporary directory on a free port, started once per test
 * file (beforeAll) and removed afterwards. Each test takes a fresh database of it (`freshDatabase`). initdb refuses to
 * run as root, so as root the cluster runs as the `postgres` user (runuser). When the binaries are missing the PG
 * tests skip with one notice naming what to install (`.ci/run` installs Debian's postgresql package).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** postgres://… of the cluster's `postgres` database (superuser, trust auth on 127.0.0.1). */
  adminUrl: string;
  port: number;
  /** Creates an empty database and returns its URL. */
  freshDatabase(): Promise<string>;
  /** A database with every migration applied (a copy of a template migrated once per cluster: fast). */
  migratedDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The directory holding initdb/pg_ctl, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const env = process.env.RUNMEDIC_PG_BIN;
  if (env && existsSync(path.join(env, 'initdb'))) return env;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0]!, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? path.dirname(which.stdout.trim()) : null;
}

let noticeShown = false;
/** True when PG tests can run; otherwise prints one notice (once per file) and returns false. */
export function postgresAvailable(): boolean {
  const dir = postgresBinDir();
  if (dir) return true;
  if (!noticeShown) {
    noticeShown = true;
    process.stderr.write('PostgreSQL binaries (initdb, pg_ctl) not found: the PostgreSQL store tests are skipped. Install them (Debian: apt-get install postgresql) or set RUNMEDIC_PG_BIN.\n');
  }
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function runAsOwner(bin: string, args: string[]): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} failed (${r.status}): ${r.stderr || r.stdout}`);
}

let dbCounter = 0;

/** Starts a cluster for this test file. Call from beforeAll (allow ~20 s on a loaded machine); stop() in afterAll. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found (see postgresAvailable)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // Durability is not what these tests check: no fsync keeps a loaded machine from spending seconds in it.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB`;
  runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    try {
      runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const create = async (template?: string) => {
    const name = `t${process.pid}_${++dbCounter}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    } finally {
      await c.end();
    }
    return name;
  };
  const urlOf = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  let template: Promise<string> | undefined;
  return {
    adminUrl,
    port,
    freshDatabase: async () => urlOf(await create()),
    async migratedDatabase() {
      template ??= (async () => {
        const name = await create();
        const { openPgPool } = await import('../../src/store/pg/pg-database.ts');
        const pool = await openPgPool(urlOf(name));
        await pool.end();
        return name;
      })();
      return urlOf(await create(await template));
    },
    stop,
  };
}
