/** The IPC protocol between the parent (bot, CLI) and a job's child process. Sent with `serialization: 'advanced'`. */
import type { JobConfig } from './job-config.ts';
import type { LoadedBackend } from './backend.ts';
import type { BatchReport, EpochReport, TrainResult } from './train-model.ts';

/** How a test makes the child fail on purpose: throw in the loop, exit hard, or run out of heap. */
export type CrashMode = 'throw' | 'exit' | 'oom';

export interface StartMessage {
  type: 'start';
  config: JobConfig;
  /** Backend preference list ("tensorflow,wasm,cpu"); default from RUNMEDIC_TF_BACKEND. */
  backendOrder?: string;
  crash?: CrashMode;
}

export type WorkerMessage =
  | { type: 'backend'; backend: LoadedBackend }
  | { type: 'data'; trainSize: number; valSize: number; notes: string[] }
  | { type: 'batch'; report: BatchReport }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'done'; result: TrainResult }
  /** `input`: the job's own files are at fault (an IngestError: the file, the entry, what was expected). */
  | { type: 'error'; message: string; input?: { file: string; line?: number; path?: string; reason: string } };
