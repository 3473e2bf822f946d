/**
 * A throwaway PostgreSQL for tests: `initdb` + `pg_ctl` in a temporary directory on a free port, removed afterwards.
 * Under `vitest run` one cluster serves the whole run (test/support/pg-global-setup.ts gives every test file the
 * directory; the first file that needs PostgreSQL starts the cluster there, the others wait for it and connect): initdb
 * costs seconds, once instead of once per file. Each file still has databases of its own (`freshDatabase`,
 * `migratedDatabase`), named uniquely and dropped when the file ends. Without the global setup (a test file run some
 * other way) the file starts and removes its own cluster, as before. initdb refuses to run as root, so as root the
 * cluster runs as the `postgres` user (runuser). When the binaries are missing the PG tests skip with one notice naming
 * what to install (`.ci/run` installs Debian's postgresql package).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** A directory the cluster's owner can write in (the `postgres` user when running as root). */
export function clusterDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

interface RunningCluster {
  port: number;
  /** The data directory (what pg_ctl stop takes). */
  data: string;
}

/**
 * The tests' server settings. Durability is not what the tests check: no fsync keeps a loaded machine from spending
 * seconds in it. The test files running at once share the cluster: connections for all of them.
 */
export const TEST_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '400',
  shared_buffers: '32MB',
};

/** initdb + pg_ctl start of a new cluster in `dir` (from clusterDir), on a free port, with `settings` (-c name=value). */
async function startCluster(dir: string, settings: Readonly<Record<string, string>> = TEST_SETTINGS): Promise<RunningCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found (see postgresAvailable)');
  // A fresh data directory per attempt: one left half-made by a killed attempt is not initdb's to reuse.
  const data = path.join(dir, `data-${process.pid}-${Date.now()}`);
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const opts = [`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  return { port, data };
}

/** Stops the cluster of `dir` (if one was started there) and removes the directory. */
export function removeCluster(dir: string, running: RunningCluster | null = readSharedInfo(dir)): void {
  const bin = postgresBinDir();
  try {
    if (running && bin) runAsOwner(path.join(bin, 'pg_ctl'), ['-D', running.data, '-m', 'immediate', '-w', 'stop']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SHARED_INFO = 'cluster.json';

function readSharedInfo(dir: string): RunningCluster | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, SHARED_INFO), 'utf8')) as RunningCluster;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The cluster of the shared directory: started by the first test file that asks (a lock directory makes it one), the
 * others wait until it is up. A lock older than the longest start was left by a killed worker.
 */
async function sharedCluster(dir: string): Promise<RunningCluster> {
  const lock = path.join(dir, 'start.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const info = readSharedInfo(dir);
    if (info) return info;
    try {
      mkdirSync(lock);
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`the shared PostgreSQL cluster in ${dir} did not start within 3 minutes`);
      await sleep(100);
      continue;
    }
    try {
      const ready = readSharedInfo(dir);
      if (ready) return ready;
      const started = await startCluster(dir);
      const tmp = path.join(dir, `${SHARED_INFO}.${process.pid}`);
      writeFileSync(tmp, JSON.stringify(started));
      renameSync(tmp, path.join(dir, SHARED_INFO));
      return started;
    } finally {
      rmdirSync(lock);
    }
  }
}

let dbCounter = 0;
/** Database names unique across the test files of a run (worker pids can be reused). */
const dbPrefix = `t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/**
 * PostgreSQL for this test file: the cluster of `sharedDir` (the run's, from pg-global-setup.ts), or one of the file's
 * own without it. Call from beforeAll (allow ~20 s on a loaded machine); stop() in afterAll drops the file's databases
 * (and stops a cluster of the file's own). `settings` are a cluster of its own's server settings (default
 * TEST_SETTINGS; the benches pass PostgreSQL's defaults); the shared cluster keeps the tests'.
 */
export async function startTestPostgres(sharedDir?: string | null, settings?: Readonly<Record<string, string>>): Promise<TestPostgres> {
  const shared = sharedDir || null;
  let own: { dir: string; cluster: RunningCluster } | null = null;
  let running: RunningCluster;
  if (shared) running = await sharedCluster(shared);
  else {
    const dir = clusterDir();
    try {
      running = await startCluster(dir, settings);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    own = { dir, cluster: running };
  }
  const { port } = running;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const created: string[] = [];
  const admin = async <T>(f: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  const stop = async () => {
    if (own) return removeCluster(own.dir, own.cluster);
    // The shared cluster lives on for the other files: only this file's databases go.
    await admin(async (c) => {
      for (const name of created.splice(0).reverse()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  };
  const create = async (template?: string) => {
    const name = `${dbPrefix}_${++dbCounter}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
    created.push(name);
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
