/** Wires the push API for a process (npm start, runmedic serve): the use case, the server and the stall checker. */
import type { AlertService } from '../alerts/alert-service.ts';
import { PushService } from '../app/push-run.ts';
import { startStallChecker } from '../app/stall-checker.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { PushStore } from '../app/push-store.ts';
import type { DatabaseHealth } from '../store/open-stores.ts';
import type { RunStore } from '../store/run-store.ts';
import { startApiServer, type RunningApi } from './api-server.ts';

export interface HttpApi {
  api: RunningApi;
  service: PushService;
  stop(): Promise<void>;
}

export async function startHttpApi(o: {
  config: Config;
  runs: RunStore;
  push: PushStore;
  /** The database's state, for /healthz. */
  health?: () => Promise<DatabaseHealth>;
  alerts: AlertService | null;
  log: Logger;
  /** The guild of a Discord channel, from the bot; without it runs cannot name their own alert channel. */
  channelGuild?: (channelId: string) => Promise<string | null>;
  /** Several API replicas on one PostgreSQL: the store's cross-process lock (see PushServiceOptions.sharedLock). */
  sharedLock?: <T>(runId: string, fn: () => Promise<T>) => Promise<T>;
}): Promise<HttpApi> {
  const push = o.push;
  const log = o.log.child({ component: 'http' });
  const service = new PushService({ runs: o.runs, push, alerts: o.alerts, log, stallAfterMs: o.config.stallAfterMinutes * 60_000, channelGuild: o.channelGuild, ...(o.sharedLock ? { sharedLock: o.sharedLock } : {}) });
  const api = await startApiServer({
    service,
    tokens: push,
    log,
    host: o.config.httpHost,
    port: o.config.httpPort,
    maxBodyBytes: o.config.httpMaxBodyBytes,
    ratePerSecond: o.config.httpRatePerSecond,
    rateBurst: o.config.httpRateBurst,
    anonRatePerSecond: o.config.httpAnonRatePerSecond,
    anonRateBurst: o.config.httpAnonRateBurst,
    headersTimeoutMs: o.config.httpHeadersTimeoutMs,
    requestTimeoutMs: o.config.httpRequestTimeoutMs,
    idleTimeoutMs: o.config.httpIdleTimeoutMs,
    maxConnections: o.config.httpMaxConnections,
    ...(o.health ? { health: o.health } : {}),
  });
  const checker = startStallChecker(service, { log });
  return {
    api,
    service,
    async stop() {
      checker.stop();
      await api.close();
    },
  };
}
