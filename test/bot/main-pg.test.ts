/**
 * `npm start` on a shared PostgreSQL (DATABASE_URL) as a process: it migrates, logs in, says which database it uses
 * without the password, and stops cleanly; an unreachable database is one line naming DATABASE_URL. Skipped with a
 * notice when PostgreSQL is not installed.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../support/fake-discord.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { builtMain, ensureBuilt } from '../support/built.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';
import { randomListenPort } from '../support/ports.ts';

useStoreBackends();

function runMain(env: Record<string, string>, stopWhen?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtMain()], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not finish:\n${out}`));
    }, 60_000);
    const take = (d: Buffer) => {
      out += d;
      if (stopWhen?.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe.runIf(postgresAvailable())('npm start with DATABASE_URL', { timeout: 120_000 }, () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    ensureBuilt();
    fake = await FakeDiscord.start();
  }, 600_000);
  afterAll(async () => {
    await fake?.stop();
  });

  it('migrates the database, starts on it without printing its password, and stops cleanly', async () => {
    const url = (await testCluster().freshDatabase()).replace('postgres@', 'postgres:hunter2secret@');
    const port = randomListenPort();
    const r = await runMain({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, DATABASE_URL: url, JOB_CONCURRENCY: '0', HTTP_PORT: String(port) }, /runmedic started/);
    expect(r.out).toContain('bot ready');
    expect(r.out).toMatch(/backend\W{0,4}postgres/);
    expect(r.out).toContain('postgres:***@127.0.0.1');
    expect(r.out).not.toContain('hunter2secret');
    expect(r.code).toBe(0);
  });

  it('with a database that does not answer, says so in one line naming DATABASE_URL, without the password', async () => {
    const r = await runMain({ DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase, DATABASE_URL: `postgres://u:hunter2secret@127.0.0.1:${testCluster().port + 2}/x` });
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^runmedic: DATABASE_URL postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/x: cannot connect to PostgreSQL/);
    expect(r.out).not.toContain('hunter2secret');
  });
});
