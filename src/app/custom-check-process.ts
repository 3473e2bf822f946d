/**
 * /sanity and /lrfind in a child process: they load TensorFlow.js and train, which the bot's process must not do
 * (a native crash or a minute of CPU would take Discord, the API and the scheduler with it).
 */
import { fork } from 'node:child_process';
import { childModule } from '../child-module.ts';
import { HEAVY_CHECKS } from './child-slots.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import type { CustomCheckRequest } from './custom-check-child.ts';
import type { JobCheckOutcome, JobLrFindOutcome, LrFindOutcome, SanityOutcome } from './custom-check.ts';

export const CUSTOM_CHECK_TIMEOUT_MS = 5 * 60_000;

export class CustomCheckFailed extends Error {}

type Outcome = SanityOutcome | LrFindOutcome | JobLrFindOutcome | JobCheckOutcome;

type Reply = { ok: true; outcome: Outcome } | { ok: false; ingest?: { file: string; line?: number; path?: string; reason: string }; message: string };

export function runCustomCheckInChild(req: CustomCheckRequest, timeoutMs = CUSTOM_CHECK_TIMEOUT_MS): Promise<Outcome> {
  return HEAVY_CHECKS.run(() => inChild(req, timeoutMs));
}

function inChild(req: CustomCheckRequest, timeoutMs: number): Promise<Outcome> {
  const { file, execArgv } = childModule(import.meta.url, 'custom-check-child');
  return new Promise((resolve, reject) => {
    const child = fork(file, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new CustomCheckFailed(`it took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
    }, timeoutMs);
    child.once('message', (m: Reply) =>
      done(() => {
        if (m.ok) resolve(m.outcome);
        else if (m.ingest) reject(new IngestError(m.ingest));
        else reject(new CustomCheckFailed(m.message));
      }),
    );
    child.once('error', (e) => done(() => reject(new CustomCheckFailed(e.message))));
    child.once('exit', (code, signal) => done(() => reject(new CustomCheckFailed(`its process ended (${signal ?? `exit ${code}`}) before answering${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`))));
    child.send(req);
  });
}
