/** runmedic serve --api-only as a process: listens, answers /healthz and a token's push, stops cleanly on SIGTERM. */
import { afterAll, describe, expect, it, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { main } from '../../src/cli/main.ts';
import { ensureBuilt, builtBin } from '../support/built.ts';
import { randomListenPort } from '../support/ports.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-serve-'));
const db = path.join(dir, 'serve.db');

describe('runmedic serve --api-only', { timeout: 60_000 }, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the API without Discord until SIGTERM', async () => {
    let token = '';
    await main(['token', 'create', 'ci', '--guild', '555555555555555555', '--db', db], { LOG_LEVEL: 'silent' }, { stdout: (t) => (token += t), stderr: () => {} });
    const port = randomListenPort();
    const child = spawn(process.execPath, [builtBin(), 'serve', '--api-only', '--db', db], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', HTTP_PORT: String(port) },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${stderr}`)), 40_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('runmedic API on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, database: { ok: true, backend: 'sqlite', schemaVersion: expect.any(Number), latencyMs: expect.any(Number) } });
    const res = await fetch(`${base}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'served' }),
    });
    expect(res.status).toBe(201);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('logs at info without LOG_LEVEL (start, refusals, shutdown), successes at debug, and never a bearer token', async () => {
    let token = '';
    await main(['token', 'create', 'logs', '--guild', '555555555555555555', '--db', db], { LOG_LEVEL: 'silent' }, { stdout: (t) => (token += t), stderr: () => {} });
    token = token.trim();
    const wrong = `rm_${'x'.repeat(40)}`;
    /** One server: its stderr once it has answered a good and a bad bearer token and stopped. */
    const serve = async (env: Record<string, string>): Promise<string> => {
      // A random port can be taken by another process between the pick and the listen (EADDRINUSE, seen in CI):
      // the server then says so and exits, and the next port is tried.
      const start = async (port: number) => {
        const child = spawn(process.execPath, [builtBin(), 'serve', '--api-only', '--db', db], {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH ?? '', HTTP_PORT: String(port), ...env },
        });
        const out = { child, stderr: '' };
        child.stderr.on('data', (d) => (out.stderr += d));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const started = await new Promise<boolean>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no start line: ${out.stderr}`)), 40_000);
          const poll = setInterval(() => {
            const inUse = out.stderr.includes('EADDRINUSE');
            if (!inUse && !out.stderr.includes('runmedic API on')) return;
            clearInterval(poll);
            clearTimeout(timer);
            resolve(!inUse);
          }, 50);
        });
        // The same object: its stderr keeps growing after the start line (a copy would freeze it here).
        return Object.assign(out, { exited, started });
      };
      let port = 0;
      let s: Awaited<ReturnType<typeof start>> | null = null;
      for (let attempt = 0; attempt < 5 && !s?.started; attempt++) {
        if (s) await s.exited;
        port = randomListenPort();
        s = await start(port);
      }
      expect(s!.started).toBe(true);
      const child = s!.child;
      const exited = s!.exited;
      const post = (t: string) =>
        fetch(`http://127.0.0.1:${port}/api/v1/runs`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{"name":"logged"}' });
      expect((await post(token)).status).toBe(201);
      expect((await post(wrong)).status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      return s!.stderr;
    };
    const [byDefault, debug] = await Promise.all([serve({}), serve({ LOG_LEVEL: 'debug' })]);
    const lines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines(byDefault)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 30, msg: 'HTTP API listening' }),
        expect.objectContaining({ level: 30, msg: 'shutting down', signal: 'SIGTERM' }),
        expect.objectContaining({ level: 30, msg: 'http', method: 'POST', path: '/api/v1/runs', status: 401 }),
      ]),
    );
    // A success is one line per push: at debug only, or a busy server's log is all 201s.
    expect(lines(byDefault).filter((l) => l.status === 201)).toEqual([]);
    expect(lines(debug)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'http', method: 'POST', path: '/api/v1/runs', status: 201 }),
        expect.objectContaining({ msg: 'http', method: 'POST', path: '/api/v1/runs', status: 401 }),
      ]),
    );
    for (const text of [byDefault, debug]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(wrong);
    }
  });

  it('--help names --api-only once, as required', async () => {
    let out = '';
    expect(await main(['serve', '--help'], {}, { stdout: (t) => (out += t), stderr: () => {} })).toBe(0);
    expect(out.split('\n')[0]).toBe('usage: runmedic serve --api-only [--db PATH]');
  });

  it('without --api-only points at npm start, exit 2', async () => {
    let err = '';
    const code = await main(['serve', '--db', db], { LOG_LEVEL: 'silent' }, { stdout: () => {}, stderr: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err).toContain('--api-only');
  });
});
