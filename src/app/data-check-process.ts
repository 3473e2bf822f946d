/**
 * Runs one data check in a child process, for the long-running service: the cross-validated label-error models
 * take seconds of CPU (a few thousand images: 5–30 s on two cores) that would otherwise stall the event loop serving
 * Discord and the API, and a child that dies or runs past the timeout costs that one answer.
 */
import { fork } from 'node:child_process';
import { childModule } from '../child-module.ts';
import { HEAVY_CHECKS } from './child-slots.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import type { DataCheckReport } from '../datacheck/index.ts';
import type { DataCheckRequest, DataCheckResult } from './data-check.ts';

/** Longest a check may take before the child is killed. */
export const DATA_CHECK_TIMEOUT_MS = 10 * 60_000;

export class DataCheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataCheckFailed';
  }
}

type Reply = { ok: true; report: DataCheckReport; sheetPng: string | null; sheetProblem: string | null } | { ok: false; ingest?: { file: string; line?: number; path?: string; reason: string }; message: string };

/** Rejects with an IngestError for a bad file (its message as the user should read it), DataCheckFailed otherwise. */
export function checkDataFileInChild(bytes: Uint8Array, req: DataCheckRequest, timeoutMs = DATA_CHECK_TIMEOUT_MS): Promise<DataCheckResult> {
  return HEAVY_CHECKS.run(() => checkInChild(bytes, req, timeoutMs));
}

function checkInChild(bytes: Uint8Array, req: DataCheckRequest, timeoutMs: number): Promise<DataCheckResult> {
  const { file, execArgv } = childModule(import.meta.url, 'data-check-child');
  return new Promise((resolve, reject) => {
    const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
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
      done(() => reject(new DataCheckFailed(`the check took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
    }, timeoutMs);
    child.once('message', (m: Reply) => {
      done(() => {
        if (m.ok) resolve({ report: m.report, sheetPng: m.sheetPng ? new Uint8Array(Buffer.from(m.sheetPng, 'base64')) : null, sheetProblem: m.sheetProblem });
        else if (m.ingest) reject(new IngestError(m.ingest));
        else reject(new DataCheckFailed(m.message));
      });
    });
    child.once('error', (e) => done(() => reject(new DataCheckFailed(e.message))));
    child.once('exit', (code, signal) => done(() => reject(new DataCheckFailed(`the check's process ended (${signal ?? `exit ${code}`}) before answering${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`))));
    child.send({ req, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  });
}
