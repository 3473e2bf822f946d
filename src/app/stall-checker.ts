/** Runs PushService.checkStalled on an interval (the silence itself is measured with the service's injected clock). */
import type { Logger } from '../logger.ts';
import type { PushService } from './push-run.ts';

export function startStallChecker(service: PushService, opts: { everyMs?: number; log?: Logger } = {}): { stop(): void } {
  // Checking a few times per stall window is plenty: a stall is reported at most this late.
  const every = opts.everyMs ?? Math.max(1_000, Math.min(60_000, Math.floor(service.stallAfterMs / 10)));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    service
      .checkStalled()
      .catch((err) => opts.log?.error({ err }, 'stall check failed'))
      .finally(() => {
        running = false;
      });
  }, every);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
