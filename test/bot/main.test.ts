/** `npm start` (the build of src/main.ts) as a process: one clear line for operator mistakes, a clean run and stop otherwise. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { ensureBuilt, builtMain } from '../support/built.ts';
import { randomListenPort } from '../support/ports.ts';

// These tests start the compiled runmedic as a process: build it first if a source changed (test/support/built.ts).
beforeAll(() => ensureBuilt(), 600_000);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMain(env: Record<string, string>, opts: { stopWhen?: RegExp; timeoutMs?: number } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtMain()], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (opts.stopWhen?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.concurrent('npm start', { timeout: 90_000 }, () => {
  let fake: FakeDiscord;
  let dir: string;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    dir = mkdtempSync(path.join(tmpdir(), 'runmedic-main-'));
  });
  afterAll(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without DISCORD_TOKEN says what to set, in one line, without a stack', async () => {
    const r = await runMain({ DISCORD_TOKEN: '', RUNMEDIC_DB: path.join(dir, 'a.db') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^runmedic: DISCORD_TOKEN is not set/);
  });

  it('with a rejected token names DISCORD_TOKEN in one line and never prints the token', async () => {
    const r = await runMain({ DISCORD_TOKEN: 'wrong.token.value', DISCORD_API_BASE: fake.apiBase, RUNMEDIC_DB: path.join(dir, 'b.db') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DISCORD_TOKEN was rejected/);
    expect(r.stderr + r.stdout).not.toContain('wrong.token.value');
  });

  it('with a shard id outside BOT_SHARDS names it and the range in one line, before connecting', async () => {
    const r = await runMain({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, RUNMEDIC_DB: path.join(dir, 'd.db'), BOT_SHARDS: '2', SHARD_IDS: '1,2' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toBe('runmedic: SHARD_IDS: 2 is not below BOT_SHARDS=2: expected shard ids from 0 to 1');
  });

  it('refuses to run some of the shards on a SQLite file the other shard processes cannot share', async () => {
    const r = await runMain({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, RUNMEDIC_DB: path.join(dir, 'e.db'), BOT_SHARDS: '2', SHARD_IDS: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^runmedic: SHARD_IDS=1 runs 1 of BOT_SHARDS=2 shards here: .*set DATABASE_URL/);
    expect(r.stderr).not.toContain(fake.token);
  });

  it('with a good token logs in, registers nothing by itself, and stops cleanly on SIGTERM', async () => {
    const r = await runMain(
      // The HTTP API starts too: a random high port, so parallel test runs do not collide on 8787.
      { DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, RUNMEDIC_DB: path.join(dir, 'c.db'), HTTP_PORT: String(randomListenPort()) },
      { stopWhen: /runmedic started/ },
    );
    expect(r.stdout).toContain('bot ready');
    expect(r.stdout).toContain('HTTP API listening');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(fake.token);
  });
});
