/**
 * Delivers outbox entries through a Notifier. An entry is marked delivered only after Discord answered for
 * every step (post, then the run's thread); a failed step is retried with exponential backoff. Steps already
 * done are not redone: the message id is saved as soon as the post is accepted, and the post carries an
 * idempotency key so a post whose answer was lost is not duplicated on retry.
 */
import type { Logger } from '../logger.ts';
import type { AlertStore, OutboxEntry } from './alert-store.ts';
import { TargetGoneError, type Notifier } from './notifier.ts';

export interface OutboxDispatcherOptions {
  store: AlertStore;
  notifier: Notifier;
  log: Logger;
  now?: () => number;
  /** PNG of the run's chart, or null; failures here never block an alert. */
  chartFor?: (runId: string) => Promise<Uint8Array | null>;
  /** First retry delay in ms (doubles per attempt up to maxBackoffMs). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often to look for due entries when nothing kicked the dispatcher. */
  pollMs?: number;
  /**
   * Several processes share the outbox (bot shards on one PostgreSQL): a pass runs only while holding a lock every
   * dispatcher takes (null: another process is delivering, and this one looks again shortly), so no entry is posted
   * by two processes at once.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T | null>;
}

export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts));
}

export class OutboxDispatcher {
  private readonly o: Required<Omit<OutboxDispatcherOptions, 'chartFor' | 'exclusive'>> & Pick<OutboxDispatcherOptions, 'chartFor' | 'exclusive'>;
  /** The last pass found another process delivering: look again soon rather than at the next poll. */
  private busyElsewhere = false;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  /** Set only by stop(): a pass in progress finishes the entry at hand and leaves the rest. */
  private stopping = false;
  private current: Promise<void> = Promise.resolve();

  constructor(opts: OutboxDispatcherOptions) {
    this.o = { now: Date.now, baseBackoffMs: 1000, maxBackoffMs: 5 * 60_000, pollMs: 5000, ...opts };
  }

  start(): void {
    this.stopped = false;
    this.stopping = false;
    this.kick();
  }

  /** Waits for the pass in progress, then stops; pending entries stay in the store for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  /** Something was enqueued: deliver now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = this.pass();
  }

  private async pass(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        const exclusive = this.o.exclusive;
        if (exclusive) this.busyElsewhere = (await exclusive(async () => (await this.deliverDue(), true))) === null;
        else await this.deliverDue();
      } while (this.again && !this.stopped);
    } catch (e) {
      this.o.log.error({ err: e }, 'outbox pass failed');
    } finally {
      this.running = false;
      await this.schedule();
    }
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    const next = await this.o.store.nextDueAt().catch(() => null);
    let wait = next === null ? this.o.pollMs : Math.min(this.o.pollMs, Math.max(0, next - this.o.now()));
    if (this.busyElsewhere) wait = Math.min(wait, 300);
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref?.();
  }

  /** One delivery pass over the due entries, without scheduling the next (tests, and a one-shot CLI flush). */
  async deliverDue(): Promise<void> {
    const pending = await this.o.store.pendingOutbox(200);
    // A run's alerts stay in order: while an earlier one waits or fails, later ones for that run wait too.
    const blocked = new Set<string>();
    for (const entry of pending) {
      if (this.stopping) return;
      const key = `${entry.payload.guildId}/${entry.payload.runKey}`;
      if (blocked.has(key)) continue;
      if (entry.nextAttemptAt > this.o.now()) {
        blocked.add(key);
        continue;
      }
      try {
        await this.deliver(entry);
      } catch (e) {
        blocked.add(key);
        const next = this.o.now() + backoffMs(entry.attempts, this.o.baseBackoffMs, this.o.maxBackoffMs);
        const reason = e instanceof Error ? e.message : String(e);
        await this.o.store.markFailed(entry.id, reason, next);
        this.o.log.warn({ outboxId: entry.id, runId: entry.payload.runId, attempts: entry.attempts + 1, err: reason }, 'alert delivery failed; will retry');
      }
    }
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const p = entry.payload;
    const existing = await this.o.store.threadOf(p.guildId, p.runKey);
    if (p.kind === 'update' && !existing) {
      // Updates belong in the run's thread only; without one (deleted meanwhile) there is nowhere to say it.
      await this.o.store.markDelivered(entry.id, null, this.o.now());
      return;
    }
    let messageId = entry.messageId;
    const target = existing?.threadId ?? p.channelId;
    if (!messageId) {
      const chart = await this.chart(p.runId);
      try {
        ({ messageId } = await this.o.notifier.postAlert({ payload: p, channelId: target, chart, idempotencyKey: `rm-alert-${entry.id}` }));
      } catch (e) {
        // The run's thread was deleted: forget it, so the retry posts to the alert channel and opens a new one.
        if (e instanceof TargetGoneError && existing && e.channelId === existing.threadId) await this.o.store.forgetThread(existing.threadId);
        throw e;
      }
      await this.o.store.markPosted(entry.id, messageId);
    }
    let threadId = existing?.threadId ?? null;
    if (!threadId) {
      ({ threadId } = await this.o.notifier.openThread(p.channelId, messageId, threadName(p.runName)));
      await this.o.store.saveThread({ guildId: p.guildId, runKey: p.runKey, runId: p.runId, channelId: p.channelId, threadId });
    }
    await this.o.store.markDelivered(entry.id, threadId, this.o.now());
    this.o.log.info({ outboxId: entry.id, runId: p.runId, findings: p.findings.map((f) => f.id), threadId }, 'alert delivered');
  }

  private async chart(runId: string): Promise<Uint8Array | null> {
    if (!this.o.chartFor) return null;
    try {
      return await this.o.chartFor(runId);
    } catch (e) {
      this.o.log.warn({ runId, err: e instanceof Error ? e.message : String(e) }, 'alert chart failed; sending without it');
      return null;
    }
  }
}

/** Discord thread names are 1–100 characters. */
export function threadName(runName: string): string {
  const name = `🩺 ${runName}`.trim();
  return name.length <= 100 ? name : name.slice(0, 99) + '…';
}
