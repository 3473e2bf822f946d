/**
 * Where `runmedic watch` sends the records it reads: the push API of a server (src/http/push-client.ts), or the
 * push use case over the local database when no server is given. One attempt per call; retrying is the watcher's.
 */
import type { PushService } from './push-run.ts';
import type { PushPoint } from './live-series.ts';
import type { TokenIdentity } from './api-tokens.ts';

export type FinalRunStatus = 'finished' | 'crashed' | 'killed';

export interface LiveRunSink {
  /** What the records go to, for messages ('http://127.0.0.1:8787', 'runmedic.db'). */
  readonly target: string;
  /** A server (sent over the network) or the local database (stored). */
  readonly kind: 'server' | 'local';
  /** Creates the run; the same `key` again returns the same run (a create whose answer was lost can be retried). */
  createRun(input: { name: string; key: string; framework?: string }): Promise<{ id: string }>;
  /** Appends points; points at or below a step the run already has for a metric are dropped by the receiver. */
  pushPoints(runId: string, points: PushPoint[]): Promise<{ alerts: number }>;
  finishRun(runId: string, status: FinalRunStatus): Promise<void>;
}

/** A failed attempt. `retryable`: the receiver was unreachable or busy; otherwise it refused and will refuse again. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly o: { retryAfterMs?: number; tooLarge?: boolean } = {},
  ) {
    super(message);
    this.name = 'SinkError';
  }
}

/** The identity local runs are stored under (no token, no Discord server: nobody is pinged). */
export const LOCAL_IDENTITY: TokenIdentity = { tokenId: 'local', guildId: 'local' };

/** The push use case in this process, on the local database. */
export function localRunSink(service: PushService, target: string): LiveRunSink {
  return {
    target,
    kind: 'local',
    async createRun({ name, key, framework }) {
      const { run } = await service.createRun(LOCAL_IDENTITY, { name, clientRunId: key, ...(framework ? { framework } : {}) });
      return { id: run.id };
    },
    async pushPoints(runId, points) {
      return { alerts: (await service.pushMetrics(LOCAL_IDENTITY, runId, points)).alerts };
    },
    async finishRun(runId, status) {
      await service.finishRun(LOCAL_IDENTITY, runId, status);
    },
  };
}
