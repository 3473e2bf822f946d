/**
 * `runmedic watch` as people run it: a real child process printing like a training script (test/support/
 * print-training.mjs: Keras verbose 1 with \r and \b, a PyTorch print loop, a tqdm bar with a postfix, the Trainer's
 * dicts, and the captured console fixtures replayed with delays) piped into the compiled CLI, which streams to the
 * push API on a socket, whose alerts go through the outbox to the fake Discord.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '../../src/domain/run.ts';
import { createApiToken } from '../../src/app/api-tokens.ts';
import { PushService } from '../../src/app/push-run.ts';
import { startApiServer, type RunningApi } from '../../src/http/api-server.ts';
import { readConsoleText } from '../../src/ingest/console/console-reader.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { BotHarness } from '../support/bot-harness.ts';
import { builtBin, ensureBuilt } from '../support/built.ts';
import { REPO_ROOT } from '../support/real-logs.ts';

beforeAll(() => ensureBuilt(), 600_000);

const PRINTER = path.join(REPO_ROOT, 'test', 'support', 'print-training.mjs');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'console');
const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-watch-'));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Done {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  done: Promise<Done>;
  /** What the process has written to stderr so far. */
  stderr(): string;
}

/** A shell pipeline `printer … | runmedic watch …`: what the watch printed and how it exited. */
function pipeline(printerArgs: string[], watchArgs: string[], env: Record<string, string> = {}): Running {
  const cmd = `${q(process.execPath)} ${q(PRINTER)} ${printerArgs.map(q).join(' ')} | ${q(process.execPath)} ${q(builtBin())} watch ${watchArgs.map(q).join(' ')}`;
  return run(spawn('sh', ['-c', cmd], { cwd: dir, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env } }));
}

function run(child: ChildProcess): Running {
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Done>((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })));
  return { child, done, stderr: () => stderr };
}

/** What the printer prints with these arguments, without delays (the printer reads the first of a repeated option). */
function printed(printerArgs: string[]): Promise<Buffer> {
  const timing = ['--gate', '--epoch-ms', '--line-ms'];
  const args = printerArgs.filter((a, i, all) => !timing.includes(a) && !timing.includes(all[i - 1]!));
  return run(spawn(process.execPath, [PRINTER, ...args, '--epoch-ms', '0', '--line-ms', '0'])).done.then((d) => d.stdout);
}

const runIdOf = (stderr: string): string => {
  const m = / as (r_[a-z0-9]+)/.exec(stderr);
  if (!m) throw new Error(`no run id in:\n${stderr}`);
  return m[1]!;
};

/** The stored run holds exactly what reading the whole text gives: every series, step for step, value for value. */
function expectSameSeries(stored: Series[], text: string): void {
  const [read] = readConsoleText(text, 'x');
  const byName = new Map(stored.map((s) => [s.name, s]));
  for (const s of read!.series) {
    const got = byName.get(s.name);
    expect(got, `series ${s.name} (have ${[...byName.keys()].join(', ')})`).toBeDefined();
    expect({ name: s.name, cadence: got!.cadence, steps: [...got!.steps], values: [...got!.values].map(String) }).toEqual({
      name: s.name,
      cadence: s.cadence,
      steps: [...s.steps],
      values: [...s.values].map(String),
    });
  }
  expect(stored.length).toBe(read!.series.length);
}

describe('runmedic watch', { timeout: 120_000 }, () => {
  let h: BotHarness;
  let api: RunningApi;
  let token: string;
  beforeAll(async () => {
    h = await BotHarness.start();
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
    const push = new SqlitePushStore(h.db);
    const service = new PushService({ runs: h.store, push, alerts: h.alerts });
    api = await startApiServer({ service, tokens: push, log: silentLogger(), host: '127.0.0.1', port: 0 });
    token = (await createApiToken(push, { guildId: h.fake.guildId, name: 'watch' }, Date.now())).token;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const pings = (name: string) => h.fake.channelMessages(h.fake.alerts.id).filter((m) => m.content.includes('🚨') && m.content.includes(`**${name}**`));

  it('four styles at once: each one pings the alert channel while its script is still at the epoch that went NaN; the output passes through unchanged', async () => {
    const styles = ['keras', 'torch', 'tqdm', 'hf'];
    const runs = styles.map((style) => {
      const gate = path.join(dir, `gate-${style}`);
      const args = [style, '--epochs', '7', '--fault', 'nan', '--fault-epoch', '4', '--epoch-ms', '200', '--gate', gate];
      // One passes the token on the command line, the others through RUNMEDIC_TOKEN.
      const auth = style === 'torch' ? ['--token', token] : [];
      return { style, gate, args, ...pipeline(args, ['--name', `watch-${style}`, '--server', api.url, '--interval', '0.2', ...auth], { RUNMEDIC_TOKEN: style === 'torch' ? '' : token }) };
    });
    await Promise.all(
      runs.map(async (r) => {
        // The script waits at the faulty epoch until the ping is there: the ping came within that epoch.
        const [ping] = await h.fake.waitFor(() => (pings(`watch-${r.style}`).length ? pings(`watch-${r.style}`) : null), 60_000, `the ping of watch-${r.style}`);
        expect(existsSync(r.gate)).toBe(false);
        expect(ping!.content).toMatch(/NaN loss/);
        writeFileSync(r.gate, '');
      }),
    );
    // What each script prints, run again without delays: once per style, all at once (not while the pings are awaited).
    const scripts = await Promise.all(runs.map((r) => printed(r.args)));
    for (const [i, r] of runs.entries()) {
      const d = await r.done;
      const script = scripts[i]!;
      expect(d.code, d.stderr).toBe(1); // the verdict fails (NaN loss)
      expect(d.stdout.equals(script), `${r.style}: stdout differs from what the script printed`).toBe(true);
      const id = runIdOf(d.stderr);
      expect(d.stderr).toContain(`watch-${r.style} finished`);
      expect(d.stderr).toMatch(/1 alert sent to Discord/);
      const run = (await h.store.getRun(id))!;
      expect(run.status).toBe('finished');
      expectSameSeries(run.series, script.toString());
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const style of styles) expect(pings(`watch-${style}`)).toHaveLength(1);
  });

  it('replays captured console outputs: the server holds exactly what reading the whole file gives', async () => {
    const files = ['keras_fit_verbose1', 'torch_tqdm_postfix', 'hf_trainer_tqdm', 'lightning_tqdm', 'pytorch_mnist_example', 'torch_logging'];
    const all = files.map((f) => ({ f, ...pipeline(['replay', path.join(FIXTURES, `${f}.log`), '--line-ms', '15'], ['--name', `replay-${f}`, '--server', api.url, '--interval', '0.1'], { RUNMEDIC_TOKEN: token }) }));
    for (const r of all) {
      const d = await r.done;
      const text = readFileSync(path.join(FIXTURES, `${r.f}.log`));
      expect(d.stdout.equals(text), `${r.f}: passed through unchanged`).toBe(true);
      const run = (await h.store.getRun(runIdOf(d.stderr)))!;
      expect(run.status, d.stderr).toBe('finished');
      expectSameSeries(run.series, text.toString());
    }
  });

  it('a server that goes away twice: retried with backoff, nothing lost and nothing stored twice', async () => {
    const proxy = await TogglingProxy.start(api.port);
    try {
      // The script waits after epoch 15 until the gate exists: the second outage comes while it is mid-run.
      const gate = path.join(dir, 'gate-flaky');
      const args = ['torch', '--epochs', '30', '--epoch-ms', '40', '--fault-epoch', '15', '--gate', gate];
      // Its status lines (stderr is not a terminal): a new one each time the sending state changes.
      const outages = (p: Running) => p.stderr().match(/ unreachable \(/g)?.length ?? 0;
      const stored = async () => (await h.store.listRuns({ limit: 50 })).find((r) => r.name === 'flaky')?.points ?? 0;
      // Down before the first record: the watch says so, and is let through once it has.
      await proxy.down();
      const p = pipeline(args, ['--name', 'flaky', '--server', `http://127.0.0.1:${proxy.port}`, '--interval', '0.1'], { RUNMEDIC_TOKEN: token });
      await h.fake.waitFor(() => outages(p) >= 1, 60_000, 'the watch finding the server down');
      await proxy.up();
      // Down again in the middle, open connections cut, once the watch has said it is sending again and the first
      // 15 epochs (3 values each) are stored.
      await h.fake.waitFor(async () => / values sent to /.test(p.stderr()) && (await stored()) >= 45, 60_000, 'the first 15 epochs on the server');
      await proxy.down();
      writeFileSync(gate, '');
      await h.fake.waitFor(() => outages(p) >= 2, 60_000, 'the watch finding the server down again');
      await proxy.up();
      const d = await p.done;
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toMatch(/unreachable \(ECONNREFUSED\)/);
      const run = (await h.store.getRun(runIdOf(d.stderr)))!;
      expect(run.status).toBe('finished');
      expectSameSeries(run.series, (await printed(args)).toString());
      expect(run.series.find((s) => s.name === 'train_loss')!.values).toHaveLength(30);
    } finally {
      await proxy.close();
    }
  });

  it('says in one sentence why it stopped sending (unreachable too long, a refused token) and still passes the output through', async () => {
    const closed = await freePort();
    const a = pipeline(['torch', '--epochs', '3', '--epoch-ms', '300'], ['--name', 'nowhere', '--server', `http://127.0.0.1:${closed}`, '--interval', '0.1', '--retry-for', '0.5'], { RUNMEDIC_TOKEN: token });
    const b = pipeline(['torch', '--epochs', '3', '--epoch-ms', '50'], ['--name', 'badtoken', '--server', api.url, '--token', 'rmk_t_0000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']);
    const [da, db] = await Promise.all([a.done, b.done]);
    expect(da.stdout.toString()).toContain('Epoch 3/3');
    expect(da.stderr).toMatch(new RegExp(`runmedic: sending stopped: cannot reach http://127.0.0.1:${closed}: ECONNREFUSED for \\d+ s; \\d+ values? read were not sent \\(no run was created on http://127.0.0.1:${closed}\\); the verdict here still covers everything read`));
    expect(da.stderr).toContain('nowhere  (console_text, 9 points, 3 epochs)');
    // The final checklist says how the output was read, as `diagnose` does: a guessed name is visible.
    expect(da.stderr).toContain('   note: read 3 of 4 lines with 1 template: `Epoch <n>/<n> - train loss: <v> - val loss: <v> - val acc: <v>` (3)');
    expect(da.stderr).toContain('   note: names read as: `train loss` → train_loss (loss, train), `val loss` → val_loss (loss, val), `val acc` → val_acc (accuracy, val)');
    expect(da.code).toBe(0);
    expect(db.stdout.toString()).toContain('Epoch 3/3');
    expect(db.stderr).toMatch(/runmedic: sending stopped: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/runs answered 401: unknown or revoked token;/);
  });

  it('Ctrl-C leaves the run killed', async () => {
    const child = spawn(process.execPath, [builtBin(), 'watch', '--name', 'interrupted', '--server', api.url, '--interval', '0.1'], { cwd: dir, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', RUNMEDIC_TOKEN: token } });
    const p = run(child);
    for (let e = 1; e <= 4; e++) child.stdin!.write(`Epoch ${e}/10 - train loss: ${(1 / e).toFixed(4)} - val loss: ${(1.1 / e).toFixed(4)}\n`);
    const [stored] = await h.fake.waitFor(async () => {
      const found = (await h.store.listRuns({ limit: 50 })).filter((r) => r.name === 'interrupted' && r.points >= 8);
      return found.length ? found : null;
    }, 20_000, 'the run on the server');
    // The pipe stays open, as when the script ignores Ctrl-C: the watch stops all the same.
    child.kill('SIGINT');
    const d = await p.done;
    expect(d.code, d.stderr).toBe(130);
    expect(d.stderr).toContain('interrupted killed');
    expect((await h.store.getRun(stored!.id))!.status).toBe('killed');
  });

  it('follows a growing file to the local database: an idle file finishes the run, a traceback at its end makes it crashed', async () => {
    const log = path.join(dir, 'train.log');
    const db = path.join(dir, 'local.db');
    writeFileSync(log, 'Training MLP on 256 samples (cpu)\n');
    const p = run(spawn(process.execPath, [builtBin(), 'watch', log, '--idle', '1.5', '--interval', '0.1', '--db', db], { cwd: dir, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' } }));
    let text = readFileSync(log, 'utf8');
    for (let e = 1; e <= 6; e++) {
      await new Promise((r) => setTimeout(r, 250));
      const line = `Epoch ${e}/6 - train loss: ${(0.9 / e).toFixed(4)} - val loss: ${(1 / e).toFixed(4)} - val acc: ${(50 + 5 * e).toFixed(2)}%\n`;
      // Written in two pieces, cut mid-number: a line is read once it is whole.
      appendFileSync(log, line.slice(0, 30));
      await new Promise((r) => setTimeout(r, 60));
      appendFileSync(log, line.slice(30));
      text += line;
    }
    const crash = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\nRuntimeError: out of memory\n';
    appendFileSync(log, crash);
    text += crash;
    const started = Date.now();
    const d = await p.done;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(d.stdout.length).toBe(0);
    expect(d.stderr).toContain('train crashed');
    const db2 = openDatabase(db);
    try {
      const store = new SqliteRunStore(db2);
      const run = (await store.getRun(runIdOf(d.stderr)))!;
      expect(run.status).toBe('crashed');
      expect(run.name).toBe('train');
      expectSameSeries(run.series, text);
    } finally {
      db2.close();
    }
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP forwarder to the API that can be taken down (connections refused, open ones cut) and brought back on its port. */
class TogglingProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<TogglingProxy> {
    const p = new TogglingProxy(await freePort(), target);
    await p.up();
    return p;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', () => r()));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }

  close(): Promise<void> {
    return this.down();
  }
}
