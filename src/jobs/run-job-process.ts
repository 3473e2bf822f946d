/**
 * Runs one training job in a child process: the parent (bot or CLI) never loads TensorFlow, so a job that throws,
 * runs out of memory or is cancelled cannot take it down. Progress arrives as events over IPC.
 */
import { fork } from 'node:child_process';
import { childModule } from '../child-module.ts';
import type { JobConfig } from './job-config.ts';
import type { CrashMode, StartMessage, WorkerMessage } from './job-messages.ts';
import type { LoadedBackend } from './backend.ts';
import type { TrainResult } from './train-model.ts';

export type JobEvent = Exclude<WorkerMessage, { type: 'done' } | { type: 'error' }>;

export type JobOutcome =
  | { status: 'finished'; result: TrainResult; backend: LoadedBackend | null }
  /** `input`: the job's own model or data file is at fault (the file, the entry, what was expected). */
  | { status: 'failed'; error: string; backend: LoadedBackend | null; input?: { file: string; line?: number; path?: string; reason: string } }
  | { status: 'cancelled'; backend: LoadedBackend | null }
  /** The child died without reporting: killed by the OS, out of memory, a native crash. */
  | { status: 'crashed'; error: string; exitCode: number | null; signal: NodeJS.Signals | null; backend: LoadedBackend | null };

export interface JobProcessOptions {
  onEvent?: (event: JobEvent) => void;
  backendOrder?: string;
  /** V8 heap limit of the child in MiB: a runaway job fails alone instead of starving the machine. */
  maxOldSpaceMb?: number;
  /** Tests only: make the child fail on purpose. */
  crash?: CrashMode;
}

export interface JobProcess {
  pid: number | undefined;
  /** Kills the child; `done` resolves as cancelled. */
  cancel(): void;
  done: Promise<JobOutcome>;
}

// job-worker.js beside the build, or job-worker.ts through tsx in development and tests (child-module.ts).
const WORKER = childModule(import.meta.url, 'job-worker');
const STDERR_TAIL = 4000;

export function startJobProcess(config: JobConfig, opts: JobProcessOptions = {}): JobProcess {
  const execArgv = [...WORKER.execArgv];
  if (opts.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${opts.maxOldSpaceMb}`);
  const child = fork(WORKER.file, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
  });
  let backend: LoadedBackend | null = null;
  let result: TrainResult | null = null;
  let reported: string | null = null;
  let input: Extract<WorkerMessage, { type: 'error' }>['input'];
  let cancelled = false;

  const done = new Promise<JobOutcome>((resolve) => {
    child.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'done') result = msg.result;
      else if (msg.type === 'error') {
        reported = msg.message;
        input = msg.input;
      }
      else {
        if (msg.type === 'backend') backend = msg.backend;
        try {
          opts.onEvent?.(msg);
        } catch {
          // A presenter bug must not lose the job's outcome.
        }
      }
    });
    child.on('error', (e) => {
      reported ??= `could not start the job process: ${e.message}`;
    });
    child.on('exit', (code, signal) => {
      if (result) return resolve({ status: 'finished', result, backend });
      if (cancelled) return resolve({ status: 'cancelled', backend });
      if (reported) return resolve({ status: 'failed', error: reported, backend, ...(input ? { input } : {}) });
      const oom = /heap out of memory|Allocation failed/i.test(stderr);
      const why = oom ? 'the job ran out of memory' : signal ? `the job process was killed by ${signal}` : `the job process exited with code ${code}`;
      // TensorFlow's own startup logging is noise here; V8's OOM stack trace says nothing more than "out of memory".
      const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !/^[IW]\d{4} |^WARNING: All log messages|^\s*\d+: 0x/.test(l));
      const last = oom ? '' : lines.slice(-3).join(' | ');
      resolve({ status: 'crashed', error: last ? `${why}: ${last}` : why, exitCode: code, signal, backend });
    });
  });

  const start: StartMessage = { type: 'start', config, ...(opts.backendOrder ? { backendOrder: opts.backendOrder } : {}), ...(opts.crash ? { crash: opts.crash } : {}) };
  child.send(start);
  return {
    pid: child.pid,
    cancel: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill('SIGKILL');
    },
    done,
  };
}
