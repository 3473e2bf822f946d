/**
 * `npm run soak`: the heavier probes of issue 17, bounded in time, as a user or an attacker would run them — every
 * runmedic here is a separate process killed with SIGKILL, never a function call:
 *
 *  1. kill -9 during ingest: a directory of logs ingested and killed at random moments; the database must stay sound
 *     and hold all of the ingest or none of it, and the next ingest must complete;
 *  2. concurrent writers: several `runmedic ingest` processes into one database at once (some with the same file);
 *  3. push load: clients pushing batches to `runmedic serve --api-only` while it is killed -9 and restarted, beside
 *     hostile traffic (slow clients, unknown tokens, control characters, ±1e308 values); every acknowledged point
 *     must be stored exactly once, and the server must log no error;
 *  4. charts: the renderers' property test (test/charts/chart-properties.test.ts) with other seeds and more cases.
 *
 * It prints what it tried and what survived, and exits 1 when something did not. SOAK_SECONDS (default 240) is the
 * whole budget, shared out between the probes; SOAK_KEEP=1 keeps the scratch directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase } from '../src/store/database.ts';
import { SqliteRunStore } from '../src/store/sqlite-run-store.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'src', 'cli.ts');
const TSX = import.meta.resolve('tsx');
const BUDGET_S = Number(process.env.SOAK_SECONDS) || 240;
const started = Date.now();
const deadline = started + BUDGET_S * 1000;
const scratch = mkdtempSync(path.join(tmpdir(), 'runmedic-soak-'));
const failures: string[] = [];
const summary: string[] = [];

// A seeded generator: the same files and the same kill moments for the same SOAK_SEED.
let seed = Number(process.env.SOAK_SEED) || 17;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secondsLeft = () => (deadline - Date.now()) / 1000;
const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `runmedic …` as its own process (TypeScript through tsx, so no build is needed). */
function runmedic(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Exit> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: scratch, env: { ...process.env, LOG_LEVEL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 })));
  return { child, done };
}

function integrity(dbFile: string): { ok: boolean; runs: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true }) as string;
    const hasRuns = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get() as { n: number };
    const runs = hasRuns.n ? (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n : 0;
    return { ok: check === 'ok', runs };
  } finally {
    db.close();
  }
}

/** A Keras-like CSV of `rows` epochs, distinct per `k`. */
function logCsv(k: number, rows: number): string {
  const lines = ['epoch,loss,val_loss,accuracy,val_accuracy'];
  for (let e = 0; e < rows; e++) {
    const loss = 2 / (1 + 0.001 * e) + 0.01 * Math.sin(e * 0.7 + k);
    lines.push(`${e},${loss.toFixed(6)},${(loss * 1.1).toFixed(6)},${(1 - loss / 3).toFixed(6)},${(1 - loss / 2.8).toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
async function killDuringIngest(budgetS: number): Promise<void> {
  const until = Date.now() + budgetS * 1000;
  const logs = path.join(scratch, 'logs');
  mkdirSync(logs, { recursive: true });
  const files = 8;
  for (let k = 0; k < files; k++) writeFileSync(path.join(logs, `run-${k}.csv`), logCsv(k, 20_000));
  const clean = runmedic(['ingest', logs], { RUNMEDIC_DB: path.join(scratch, 'clean.db') });
  const cleanExit = await clean.done;
  if (cleanExit.code !== 0) {
    failures.push(`kill -9 during ingest: the clean ingest failed: ${cleanExit.stderr.slice(0, 300)}`);
    return;
  }
  const T = cleanExit.ms;
  let kills = 0;
  let sound = 0;
  let none = 0;
  let all = 0;
  let partial = 0;
  let finished = 0;
  let delays: number[] = [];
  // One database through many kills (each start recovers what the last kill left), a fresh one once an ingest got through.
  let generation = 0;
  let db = path.join(scratch, `kill-${generation}.db`);
  while (Date.now() + 1.5 * T < until) {
    const delay = Math.round(T * (0.2 + 0.85 * rand()));
    const p = runmedic(['ingest', logs], { RUNMEDIC_DB: db });
    await sleep(delay);
    p.child.kill('SIGKILL');
    const exit = await p.done;
    kills++;
    delays.push(exit.signal === 'SIGKILL' ? delay : -1);
    let state = { ok: true, runs: 0 };
    try {
      state = integrity(db);
    } catch {
      state = { ok: true, runs: 0 }; // killed before the database file was made
    }
    if (state.ok) sound++;
    if (state.runs === 0) none++;
    else if (state.runs === files) all++;
    else partial++;
    if (state.runs === files) db = path.join(scratch, `kill-${++generation}.db`);
  }
  // The last database, after everything the kills left in it, takes a whole ingest.
  const again = await runmedic(['ingest', logs], { RUNMEDIC_DB: db }).done;
  if (again.code === 0 && integrity(db).runs === files) finished++;
  else failures.push(`kill -9 during ingest: the ingest after the kills did not complete: ${again.stderr.slice(0, 300)}`);
  delays = delays.filter((d) => d >= 0);
  if (sound < kills) failures.push(`kill -9 during ingest: ${kills - sound} database(s) failed the integrity check`);
  if (partial > 0) failures.push(`kill -9 during ingest: ${partial} partial ingest(s)`);
  summary.push(
    `kill -9 during ingest: ${kills} kills of \`runmedic ingest\` (${files} files, ${(T / 1000).toFixed(1)} s clean) at ${delays.length ? `${Math.min(...delays)}–${Math.max(...delays)} ms` : '—'}` +
      ` → integrity ok ${sound}/${kills}; after a kill the database held all ${all}, none ${none}, part ${partial} of the ingest; a whole ingest afterwards ${finished ? 'completed' : 'FAILED'}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
async function concurrentWriters(budgetS: number): Promise<void> {
  const until = Date.now() + budgetS * 1000;
  const dir = path.join(scratch, 'writers');
  mkdirSync(dir, { recursive: true });
  const db = path.join(scratch, 'writers.db');
  let rounds = 0;
  let exits = 0;
  let ok = 0;
  let expected = 0;
  do {
    const writers = 6;
    const paths: string[] = [];
    for (let w = 0; w < writers; w++) {
      const file = path.join(dir, `r${rounds}-w${w}.csv`);
      writeFileSync(file, logCsv(1000 + rounds * 10 + w, 5_000));
      paths.push(file);
    }
    // Two writers of the same file on top: the content hash must keep it to one run.
    const procs = [...paths, paths[0]!, paths[1]!].map((f) => runmedic(['ingest', f], { RUNMEDIC_DB: db }));
    const done = await Promise.all(procs.map((p) => p.done));
    exits += done.length;
    ok += done.filter((d) => d.code === 0).length;
    for (const d of done) if (d.code !== 0) failures.push(`concurrent writers: an ingest exited ${d.code}: ${d.stderr.slice(0, 300)}`);
    expected += writers;
    rounds++;
  } while (Date.now() + 15_000 < until);
  const state = integrity(db);
  if (!state.ok) failures.push('concurrent writers: the database failed the integrity check');
  if (state.runs !== expected) failures.push(`concurrent writers: ${state.runs} runs stored, expected ${expected}`);
  summary.push(`concurrent writers: ${rounds} round(s) of 8 \`runmedic ingest\` processes at once into one database (2 of each round the same file) → ${ok}/${exits} exited 0, ${state.runs} runs stored (expected ${expected}), integrity ${state.ok ? 'ok' : 'FAILED'}`);
}

// ---------------------------------------------------------------------------------------------------------------
interface HttpAnswer {
  status: number;
  body: any;
}

async function call(port: number, method: string, url: string, token: string | null, body?: unknown): Promise<HttpAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function pushLoad(budgetS: number): Promise<void> {
  const db = path.join(scratch, 'push.db');
  const port = await freePort();
  const tokenExit = await runmedic(['token', 'create', 'soak', '--guild', '123456789', '--json'], { RUNMEDIC_DB: db }).done;
  const token = JSON.parse(tokenExit.stdout).token as string;
  const env = { RUNMEDIC_DB: db, HTTP_PORT: String(port), LOG_LEVEL: 'warn', HTTP_RATE_PER_SECOND: '2000', HTTP_RATE_BURST: '4000', HTTP_REQUEST_TIMEOUT_MS: '3000', HTTP_HEADERS_TIMEOUT_MS: '2000' };
  let server = runmedic(['serve', '--api-only'], env);
  let serverLog = '';
  const watchLog = (s: typeof server) => s.child.stderr!.on('data', (d) => (serverLog += d));
  watchLog(server);
  const up = async () => {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await call(port, 'GET', '/healthz', null)).status === 200) return true;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    return false;
  };
  if (!(await up())) {
    failures.push(`push load: the server did not start: ${serverLog.slice(0, 300)}`);
    return;
  }

  const stopAt = Date.now() + budgetS * 1000 - 8_000;
  const clients = 6;
  const perBatch = 50;
  const acked = new Map<string, number>(); // run id → steps acknowledged (0 … n-1)
  let batchesAcked = 0;
  let retries = 0;
  let serverDown = false;

  const client = async (k: number) => {
    let run: HttpAnswer | null = null;
    while (!run && Date.now() < stopAt) {
      try {
        run = await call(port, 'POST', '/api/v1/runs', token, { name: `soak-${k}` });
      } catch {
        await sleep(200);
      }
    }
    if (!run || (run.status !== 201 && run.status !== 200)) return;
    const id = run.body.id as string;
    let next = 0;
    while (Date.now() < stopAt) {
      const points = Array.from({ length: perBatch }, (_, i) => {
        const step = next + i;
        // ±1e308 among the values now and then: a value the charts must survive, stored as given.
        const loss = step % 997 === 13 ? (step % 2 ? 1e308 : -1e308) : 2 / (1 + 0.01 * step);
        return { step, epoch: step / 100, metrics: { loss, val_loss: loss * 1.1, accuracy: 1 - 1 / (2 + step) } };
      });
      let done = false;
      while (!done && Date.now() < stopAt + 6_000) {
        try {
          const r = await call(port, 'POST', `/api/v1/runs/${id}/metrics`, token, { points });
          if (r.status === 200) done = true;
          else if (r.status === 429) await sleep(200);
          else throw new Error(`status ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
        } catch (e) {
          retries++;
          if (!serverDown && !/fetch failed|ECONNRESET|socket|other side closed|aborted|timeout/i.test(String((e as Error).message) + String((e as Error & { cause?: Error }).cause?.message))) {
            failures.push(`push load: client ${k}: ${(e as Error).message}`);
            return;
          }
          await sleep(150);
        }
      }
      if (!done) break;
      next += perBatch;
      acked.set(id, next);
      batchesAcked++;
    }
  };

  // Hostile traffic beside the load: what must be refused, and how. One round: an unknown-token burst, a name with
  // control characters, a slow body. Run again and again during the load, and once more after it, on a quiet server.
  type Round = { unknownToken: number; limited: number; controlRefused: number; slowCut: number; slowTried: number; notes: string[] };
  const round = async (): Promise<Round> => {
    const r: Round = { unknownToken: 0, limited: 0, controlRefused: 0, slowCut: 0, slowTried: 0, notes: [] };
    for (let i = 0; i < 60; i++) {
      try {
        const a = await call(port, 'GET', '/api/v1/runs/r_nope/verdict', 'rmk_unknown_token_for_soak');
        r.unknownToken++;
        if (a.status === 429) r.limited++;
      } catch {
        await sleep(100);
      }
    }
    try {
      const bad = await call(port, 'POST', '/api/v1/runs', token, { name: 'evil\u001b[31m\u0007' });
      if (bad.status === 400) r.controlRefused++;
    } catch {
      /* the server was being restarted */
    }
    const t0 = Date.now();
    let got = '';
    let refused = false;
    const cut = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write('POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{'));
      const t = setTimeout(() => {
        sock.destroy();
        resolve(false);
      }, 10_000);
      sock.on('data', (d) => (got += String(d).slice(0, 40)));
      sock.on('error', (e: NodeJS.ErrnoException) => (refused = e.code === 'ECONNREFUSED'));
      sock.on('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!refused) {
      r.slowTried++;
      if (cut) r.slowCut++;
      else r.notes.push(`open after 10 s (answer so far: ${JSON.stringify(got)}, ${Date.now() - t0} ms)`);
    }
    return r;
  };
  const during: Round = { unknownToken: 0, limited: 0, controlRefused: 0, slowCut: 0, slowTried: 0, notes: [] };
  const hostileTraffic = async () => {
    while (Date.now() < stopAt) {
      const r = await round();
      for (const k of ['unknownToken', 'limited', 'controlRefused', 'slowCut', 'slowTried'] as const) during[k] += r[k];
      during.notes.push(...r.notes);
      await sleep(500);
    }
  };

  // How long the server takes to answer /healthz under the load (its event loop's lag, in effect), when it is up.
  let lagMax = 0;
  const lags: number[] = [];
  const sampler = async () => {
    while (Date.now() < stopAt) {
      await sleep(1000);
      if (serverDown) continue;
      const t0 = performance.now();
      try {
        await call(port, 'GET', '/healthz', null);
        if (!serverDown) lags.push(performance.now() - t0);
      } catch {
        /* killed meanwhile */
      }
    }
    lagMax = Math.max(0, ...lags);
  };

  // The killer: SIGKILL the server now and then, and start it again.
  let kills = 0;
  const killer = async () => {
    while (Date.now() + 4_000 < stopAt) {
      await sleep(5_000 + rand() * 5_000);
      if (Date.now() + 3_000 > stopAt) break;
      serverDown = true;
      server.child.kill('SIGKILL');
      await server.done;
      kills++;
      await sleep(150);
      server = runmedic(['serve', '--api-only'], env);
      watchLog(server);
      await up();
      serverDown = false;
    }
  };

  await Promise.all([...Array.from({ length: clients }, (_, k) => client(k)), killer(), hostileTraffic(), sampler()]);
  // After the load, on a server nobody is killing: the refusals must hold exactly.
  const quiet = await round();
  server.child.kill('SIGTERM');
  const lastExit = await server.done;

  // Every acknowledged step is stored exactly once.
  const database = openDatabase(db);
  const store = new SqliteRunStore(database);
  let expectedValues = 0;
  let storedValues = 0;
  let lost = 0;
  let duplicated = 0;
  for (const [id, n] of acked) {
    const run = await store.getRun(id);
    for (const key of ['loss', 'val_loss', 'accuracy']) {
      expectedValues += n;
      const s = run?.series.find((x) => x.name === key);
      if (!s) {
        lost += n;
        continue;
      }
      storedValues += s.steps.length;
      const seen = new Set<number>();
      for (const st of s.steps) {
        if (seen.has(st)) duplicated++;
        seen.add(st);
      }
      for (let st = 0; st < n; st++) if (!seen.has(st)) lost++;
    }
  }
  await store.close();
  database.close();
  const errors = serverLog.split('\n').filter((l) => /"level":(50|60)|\bERROR\b|FATAL/.test(l));
  if (lost) failures.push(`push load: ${lost} acknowledged value(s) lost`);
  if (duplicated) failures.push(`push load: ${duplicated} value(s) stored twice`);
  if (errors.length) failures.push(`push load: the server logged ${errors.length} error line(s), e.g. ${errors[0]!.slice(0, 200)}`);
  if (quiet.limited === 0) failures.push(`push load: ${quiet.unknownToken} unknown-token requests in a row were never rate-limited (no 429)`);
  if (quiet.controlRefused !== 1) failures.push('push load: a name with control characters was not refused with 400');
  if (quiet.slowCut < quiet.slowTried || quiet.slowTried === 0) failures.push(`push load: a slow body was not cut off within 10 s on a quiet server: ${quiet.notes.join('; ')}`);
  if (during.slowCut < during.slowTried) failures.push(`push load: ${during.slowTried - during.slowCut} slow client(s) not cut off within 10 s under load: ${during.notes.join('; ')}`);
  if (lagMax > 10_000) failures.push(`push load: /healthz took up to ${(lagMax / 1000).toFixed(1)} s under load`);
  summary.push(
    `push load: ${clients} clients × ${perBatch}-point batches (3 metrics, ±1e308 now and then) against \`serve --api-only\`, killed -9 ${kills} time(s) and restarted` +
      ` → ${fmt(batchesAcked)} batches acknowledged (${fmt(expectedValues)} values), ${fmt(storedValues)} stored: lost ${lost}, duplicated ${duplicated};` +
      ` ${retries} retries; /healthz under load median ${median(lags).toFixed(0)} ms, max ${lagMax.toFixed(0)} ms; server error lines ${errors.length}; last exit ${lastExit.code ?? lastExit.signal}`,
  );
  summary.push(
    `hostile HTTP during the load: ${during.unknownToken} unknown-token requests → ${during.limited} × 429; ${during.controlRefused} control-character names refused (400); slow bodies cut off ${during.slowCut}/${during.slowTried};` +
      ` after it, on a quiet server: ${quiet.unknownToken} unknown-token requests → ${quiet.limited} × 429, control-character name → ${quiet.controlRefused ? '400' : 'NOT refused'}, slow body cut off ${quiet.slowCut}/${quiet.slowTried}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
async function charts(budgetS: number): Promise<void> {
  const chartSeed = 1 + Math.floor(rand() * 1e6);
  const more = Math.max(1, Math.min(6, Math.floor(budgetS / 25)));
  const p = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/charts/chart-properties.test.ts'], {
    cwd: ROOT,
    env: { ...process.env, CHART_PROPERTY_SEED: String(chartSeed), CHART_PROPERTY_RUNS: String(more), NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // eslint-disable-next-line no-control-regex
  const plain = (d: Buffer) => String(d).replace(/\u001b\[[0-9;]*m/g, '');
  p.stdout!.on('data', (d: Buffer) => (out += plain(d)));
  p.stderr!.on('data', (d: Buffer) => (out += plain(d)));
  const timer = setTimeout(() => p.kill('SIGKILL'), (budgetS + 60) * 1000);
  const code = await new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const tests = /Tests\s+(.*)/.exec(out)?.[1]?.trim() ?? 'no result';
  if (code !== 0) failures.push(`charts: the property test failed (seed ${chartSeed}): ${(/Counterexample: .*/.exec(out)?.[0] ?? out.slice(-400)).slice(0, 400)}`);
  summary.push(`charts: property test of the run chart, compare chart and digest grid with seed ${chartSeed}, ${more}× the suite's cases (${fmt(more * 165)} generated inputs, 10^7 points, __proto__) → ${tests}`);
}

// ---------------------------------------------------------------------------------------------------------------
say(`runmedic soak: ${BUDGET_S} s budget, scratch ${scratch}`);
const phases: Array<[string, number, (s: number) => Promise<void>]> = [
  ['kill -9 during ingest', 0.25, killDuringIngest],
  ['concurrent writers', 0.15, concurrentWriters],
  ['push load', 0.4, pushLoad],
  ['charts', 0.2, charts],
];
for (const [name, share, run] of phases) {
  const budget = Math.max(10, Math.min(BUDGET_S * share, secondsLeft()));
  const t0 = Date.now();
  say(`… ${name} (${Math.round(budget)} s)`);
  try {
    await run(budget);
  } catch (e) {
    failures.push(`${name}: ${(e as Error).stack ?? String(e)}`);
  }
  say(`  done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${summary.at(-1) ?? ''}`);
}

say('');
say(`tried and survived (${((Date.now() - started) / 1000).toFixed(0)} s):`);
for (const line of summary) say(`  • ${line}`);
say(failures.length ? `\nFAILED (${failures.length}):\n${failures.map((f) => `  ✗ ${f}`).join('\n')}` : '\nall probes survived');
if (!process.env.SOAK_KEEP) rmSync(scratch, { recursive: true, force: true });
process.exitCode = failures.length ? 1 : 0;
