/**
 * The live-run use cases behind the HTTP push API: create a run for a token's guild, append batches idempotently,
 * keep an incremental verdict, finish, attach dataset statistics, read the verdict, and flag runs that went silent.
 *
 * Incremental verdict: each live run keeps its series in memory (LiveSeries), so a batch costs its own size in the
 * store. The engine's view is rebuilt from those buffers — right away when the run is small, when the batch brings
 * a new epoch or a non-finite value (what alerts are about), and otherwise at most every `rediagnoseIntervalMs`
 * per run. A verdict left stale by the timer is refreshed when someone reads it.
 */
import { randomUUID } from 'node:crypto';
import type { AlertService } from '../alerts/alert-service.ts';
import type { OutboxEntry } from '../alerts/alert-store.ts';
import type { DatasetStats, DiagnoseContext, TrainingConfig } from '../domain/context.ts';
import type { Run, RunStatus, RunSummary } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import { diagnose } from '../diagnose/index.ts';
import type { Logger } from '../logger.ts';
import { RunChangedError, type AppendOptions, type RunStore } from '../store/run-store.ts';
import type { TokenIdentity } from './api-tokens.ts';
import { diagnosableSeries, withStateFindings } from './diagnose-run.ts';
import { LiveSeries, type AppendOutcome, type PushPoint } from './live-series.ts';
import type { PushedRunRecord, PushStore } from './push-store.ts';
import { recordScopedVerdict } from './scoped-alerts.ts';
import { stalledItem } from './stalled-item.ts';

/** The run does not exist for this caller (unknown, or another guild's: both look the same from outside). */
export class PushNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`no run ${runId}`);
    this.name = 'PushNotFoundError';
  }
}

/** The request names something the caller may not use (e.g. another server's channel). */
export class PushInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushInputError';
  }
}

/** The request contradicts the run's state (e.g. points for a finished run). */
export class PushConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushConflictError';
  }
}

export interface CreateRunInput {
  name: string;
  /** The client's own id for the run: a retried create with the same id returns the same run. */
  clientRunId?: string;
  config?: TrainingConfig;
  classes?: number;
  framework?: string;
  discord?: { channelId: string };
}

export interface PushResult {
  runId: string;
  accepted: number;
  duplicates: number;
  points: number;
  /** Whether this batch was judged now (false: within the rediagnosis interval of a large run). */
  diagnosed: boolean;
  status: Verdict['status'] | null;
  /** Pings enqueued by this batch (posted by the outbox dispatcher). */
  alerts: number;
  /** What was done to the values of this batch that the client should know (e.g. accuracy read as percent and scaled). */
  notes: string[];
}

export interface PushServiceOptions {
  runs: RunStore;
  push: PushStore;
  /** null: verdicts are kept but nobody is pinged (e.g. `serve --api-only` without alert settings). */
  alerts: AlertService | null;
  /** ms since the Unix epoch */
  now?: () => number;
  log?: Logger;
  /** A run with fewer points than this is rediagnosed on every batch (the engine takes a few ms there). */
  alwaysDiagnoseBelow?: number;
  rediagnoseIntervalMs?: number;
  /** Silence after which a running pushed run is 'stalled' (ms). */
  stallAfterMs?: number;
  /**
   * The guild a Discord channel belongs to (null: unknown or not visible to the bot). Without it, a run's own
   * `discord.channelId` is refused: a token of one server must never make the bot post into another's channel.
   */
  channelGuild?: (channelId: string) => Promise<string | null>;
  /**
   * Set when other processes write the same runs (API replicas on one PostgreSQL): runs `fn` holding a lock on the
   * run that every replica takes, so a batch is checked against what is stored and appended as one step, and the
   * in-memory state of a run is reread whenever another replica changed the run since.
   */
  sharedLock?: <T>(runId: string, fn: () => Promise<T>) => Promise<T>;
}

interface LiveRun {
  summary: RunSummary;
  record: PushedRunRecord;
  series: LiveSeries;
  verdict: Verdict | null;
  diagnosedAt: number;
  dirty: boolean;
  /** When last-seen was last written (ms), and when the last batch came (the store may lag it by TOUCH_EVERY_MS). */
  touchedAt: number;
  lastBatchAt: number;
  /** Another replica changed the run since `series` was true: brought up to date before it is used again. */
  stale: boolean;
}

const TOUCH_EVERY_MS = 5_000;

const FINAL: readonly RunStatus[] = ['finished', 'crashed', 'killed'];

export class PushService {
  private readonly live = new Map<string, LiveRun>();
  /** Per-run queue: batches of one run are applied one after the other, never interleaved at an await. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  private readonly alwaysBelow: number;
  private readonly intervalMs: number;
  readonly stallAfterMs: number;

  constructor(private readonly o: PushServiceOptions) {
    this.now = o.now ?? Date.now;
    this.alwaysBelow = o.alwaysDiagnoseBelow ?? 500;
    this.intervalMs = o.rediagnoseIntervalMs ?? 1_000;
    this.stallAfterMs = o.stallAfterMs ?? 30 * 60_000;
  }

  async createRun(who: TokenIdentity, input: CreateRunInput): Promise<{ run: RunSummary; created: boolean }> {
    if (input.clientRunId) {
      const existing = await this.o.push.pushedRunByClientKey(who.guildId, input.clientRunId);
      if (existing) {
        const [run] = await this.o.runs.findRuns(existing.runId);
        if (run) return { run, created: false };
      }
    }
    if (input.discord) {
      const guild = this.o.channelGuild ? await this.o.channelGuild(input.discord.channelId).catch(() => null) : null;
      if (guild !== who.guildId) throw new PushInputError(`discord.channelId ${input.discord.channelId} is not a channel of this token's server that runmedic can see`);
    }
    const key = input.clientRunId ?? randomUUID();
    const meta: Record<string, unknown> = { pushed: true };
    if (input.framework) meta.framework = input.framework;
    if (input.config) meta.config = input.config;
    const [saved] = await this.o.runs.saveRuns([
      {
        log: { name: input.name, format: 'push', series: [], notes: [], meta },
        source: { format: 'push', fileName: input.name, contentHash: `push:${who.guildId}:${key}` },
        status: 'running',
      },
    ]);
    const run = saved!.run;
    if (saved!.created) {
      const context: DiagnoseContext = {};
      if (input.config) context.config = input.config;
      if (input.classes !== undefined) context.classes = input.classes;
      await this.o.push.insertPushedRun({
        runId: run.id,
        guildId: who.guildId,
        tokenId: who.tokenId,
        clientKey: input.clientRunId ?? null,
        channelId: input.discord?.channelId ?? null,
        context,
        lastSeenAt: this.now(),
        stalledAt: null,
      });
      this.o.log?.info({ runId: run.id, guildId: who.guildId, tokenId: who.tokenId }, 'pushed run created');
    }
    return { run, created: saved!.created };
  }

  pushMetrics(who: TokenIdentity, runId: string, points: readonly PushPoint[]): Promise<PushResult> {
    return this.serialised(runId, async () => {
      // A batch refused because another replica changed the run since this process last saw it is deduplicated
      // again against the run reread (under the shared lock nothing changes it meanwhile: once is enough).
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.pushOnce(who, runId, points);
        } catch (e) {
          if (!(e instanceof RunChangedError) || attempt >= 3) throw e;
        }
      }
    });
  }

  private async pushOnce(who: TokenIdentity, runId: string, points: readonly PushPoint[]): Promise<PushResult> {
    // With other replicas the state kept here is not checked against the store first: the append checks it in the
    // same statement (AppendOptions.expect), and a batch that appends nothing checks it below.
    const { lr, fresh } = await this.liveRun(who, runId, false);
    // A final status is never undone, so one known here is current.
    if (FINAL.includes(lr.summary.status)) throw new PushConflictError(`run ${runId} is ${lr.summary.status}: no more points are accepted`);
    const checkpoint = this.o.sharedLock ? lr.series.checkpoint() : null;
    const outcome = lr.series.append(points);
    const now = this.now();
    lr.lastBatchAt = now;
    const appendOptions = outcome.accepted > 0 ? percentAppendOptions(outcome.percent, lr.series) : undefined;
    // Another replica wrote the run first: the batch is taken out of the series here, which are then brought up to
    // date with only the points stored since (or, when the batch cannot be taken out exactly, reread whole).
    const changed = () => {
      if (checkpoint && lr.series.restore(checkpoint)) lr.stale = true;
      else this.live.delete(runId);
    };
    if (outcome.accepted > 0) {
      try {
        lr.summary = await this.o.runs.appendPoints(runId, outcome.added, this.o.sharedLock ? { ...appendOptions, expect: lr.summary } : appendOptions);
      } catch (e) {
        // The in-memory series already hold the batch: forget them, so a retry is rebuilt from what was stored.
        if (e instanceof RunChangedError) changed();
        else this.live.delete(runId);
        throw e;
      }
    } else if (this.o.sharedLock && !fresh && (await this.changedElsewhere(lr))) {
      changed();
      throw new RunChangedError(runId);
    }
    if (lr.summary.status === 'stalled') {
      // It was only slow: it is running again (the stall ping already went out and is not repeated).
      lr.summary = await this.o.runs.setStatus(runId, 'running');
    }
    // Last-seen only matters at the scale of the stall time (minutes): one write per run every few seconds, not per batch.
    if (now - lr.touchedAt >= TOUCH_EVERY_MS || lr.summary.status !== 'running') {
      await this.o.push.touchRun(runId, now);
      lr.touchedAt = now;
    }
    lr.dirty ||= outcome.accepted > 0;
    let diagnosed = false;
    let alerts: OutboxEntry[] = [];
    const due = lr.series.points < this.alwaysBelow || outcome.alertWorthy || now - lr.diagnosedAt >= this.intervalMs;
    if (lr.dirty && due) {
      alerts = await this.judge(lr);
      diagnosed = true;
    }
    return {
      runId,
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      points: lr.summary.points,
      diagnosed,
      status: lr.verdict?.status ?? null,
      alerts: alerts.length,
      notes: appendOptions?.notes ?? [],
    };
  }

  finishRun(who: TokenIdentity, runId: string, status: 'finished' | 'crashed' | 'killed'): Promise<{ run: RunSummary; verdict: Verdict }> {
    return this.serialised(runId, async () => {
      const { lr } = await this.liveRun(who, runId);
      if (FINAL.includes(lr.summary.status) && lr.summary.status !== status) {
        throw new PushConflictError(`run ${runId} is already ${lr.summary.status}`);
      }
      if (lr.summary.status !== status) lr.summary = await this.o.runs.setStatus(runId, status);
      await this.o.push.touchRun(runId, this.now());
      if (lr.dirty || !lr.verdict) await this.judge(lr);
      this.live.delete(runId);
      return { run: lr.summary, verdict: lr.verdict! };
    });
  }

  setDataset(who: TokenIdentity, runId: string, dataset: DatasetStats): Promise<Verdict> {
    return this.serialised(runId, async () => {
      const { lr } = await this.liveRun(who, runId);
      lr.record = { ...lr.record, context: { ...lr.record.context, dataset } };
      await this.o.push.setContext(runId, lr.record.context, this.now());
      await this.o.push.touchRun(runId, this.now());
      await this.judge(lr);
      if (FINAL.includes(lr.summary.status)) this.live.delete(runId);
      return lr.verdict!;
    });
  }

  /** The current verdict (the JSON contract), refreshed when batches arrived since it was computed. */
  verdict(who: TokenIdentity, runId: string): Promise<Verdict> {
    return this.serialised(runId, async () => {
      const { lr } = await this.liveRun(who, runId);
      if (lr.dirty || !lr.verdict) {
        // Reading is not an occasion to ping: pings come from pushes, finishes and the stall checker.
        lr.verdict = this.diagnoseLive(lr);
        lr.diagnosedAt = this.now();
        lr.dirty = false;
      }
      const v = lr.verdict;
      if (FINAL.includes(lr.summary.status)) this.live.delete(runId);
      return v;
    });
  }

  /**
   * Marks every running pushed run silent for longer than the stall time as 'stalled', and records a verdict with a
   * failing `stalled` item (alerted once per run, like any finding). Returns the runs marked.
   */
  async checkStalled(): Promise<string[]> {
    const now = this.now();
    const silent = await this.o.push.silentSince(now - this.stallAfterMs);
    const marked: string[] = [];
    for (const rec of silent) {
      await this.serialised(rec.runId, async () => {
        const current = await this.o.push.pushedRun(rec.runId);
        // A batch may have arrived while we waited for the queue.
        if (!current || current.lastSeenAt >= now - this.stallAfterMs) return;
        if ((this.live.get(rec.runId)?.lastBatchAt ?? -Infinity) >= now - this.stallAfterMs) return;
        const { lr } = await this.liveRun({ guildId: current.guildId, tokenId: current.tokenId }, rec.runId);
        if (lr.summary.status !== 'running') return;
        lr.summary = await this.o.runs.setStatus(rec.runId, 'stalled');
        await this.o.push.markStalled(rec.runId, now);
        lr.record = { ...lr.record, stalledAt: now, lastSeenAt: current.lastSeenAt };
        await this.judge(lr);
        marked.push(rec.runId);
        this.o.log?.warn({ runId: rec.runId, silentMs: now - current.lastSeenAt }, 'pushed run stalled');
      });
    }
    return marked;
  }

  /** Forgets in-memory state (tests of restarts; memory of long-finished runs is dropped on finish anyway). */
  forget(runId?: string): void {
    if (runId === undefined) this.live.clear();
    else this.live.delete(runId);
  }

  private async judge(lr: LiveRun): Promise<OutboxEntry[]> {
    lr.verdict = this.diagnoseLive(lr);
    lr.diagnosedAt = this.now();
    lr.dirty = false;
    if (!this.o.alerts) return [];
    return recordScopedVerdict(this.o.alerts, lr.verdict, { guildId: lr.record.guildId, channelId: lr.record.channelId ?? undefined }, this.now());
  }

  private diagnoseLive(lr: LiveRun): Verdict {
    const series = diagnosableSeries('push', lr.series.series());
    const v = diagnose(
      { id: lr.summary.id, name: lr.summary.name, format: 'push', series, points: lr.summary.points, epochs: lr.summary.epochs, firstEpoch: lr.summary.firstEpoch },
      lr.record.context,
    );
    return lr.summary.status === 'stalled' ? withStateFindings(v, [stalledItem(lr.record, this.now() - lr.record.lastSeenAt)]) : v;
  }

  /**
   * Brings a live run another replica changed up to date with the points stored since (RunStore.pointsSince), not a
   * reload of the whole run. False when that cannot be done (the store cannot, a series known here was rescaled from
   * percent meanwhile, the counts do not add up): the run is then reread whole.
   */
  private async catchUp(lr: LiveRun): Promise<boolean> {
    const since = await this.o.runs.pointsSince?.(lr.summary.id, lr.series.counts());
    if (!since) return false;
    const percent = percentNamesOf(since.meta);
    const known = lr.series.percentNames();
    for (const name of lr.series.counts().keys()) if (percent.includes(name) !== known.includes(name)) return false;
    const record = await this.o.push.pushedRun(lr.summary.id);
    if (!record) return false;
    lr.series.extendStored(since.series, percent);
    if (lr.series.points !== since.run.points) return false;
    lr.summary = since.run;
    lr.record = record;
    lr.dirty = true;
    lr.stale = false;
    return true;
  }

  /** Whether another replica changed the run since this process last saw it (its stored summary differs). */
  private async changedElsewhere(lr: LiveRun): Promise<boolean> {
    const [stored] = await this.o.runs.findRuns(lr.summary.id);
    return !stored || stored.updatedAt !== lr.summary.updatedAt || stored.points !== lr.summary.points || stored.status !== lr.summary.status;
  }

  /**
   * The run's live state: kept from earlier batches, else loaded (`fresh`). With other replicas (sharedLock), kept
   * state is checked against the store first unless `check` is false (the caller then checks it by other means).
   */
  private async liveRun(who: TokenIdentity, runId: string, check = true): Promise<{ lr: LiveRun; fresh: boolean }> {
    let cached = this.live.get(runId);
    if (cached && this.o.sharedLock && (cached.stale || (check && (await this.changedElsewhere(cached))))) {
      // Another replica may have appended since: its points must be known here before this batch is deduplicated.
      if (!(await this.catchUp(cached))) {
        this.live.delete(runId);
        cached = undefined;
      }
    }
    if (cached) {
      if (cached.record.guildId !== who.guildId) throw new PushNotFoundError(runId);
      return { lr: cached, fresh: false };
    }
    const record = await this.o.push.pushedRun(runId);
    if (!record || record.guildId !== who.guildId) throw new PushNotFoundError(runId);
    const run: Run | null = await this.o.runs.getRun(runId);
    if (!run || run.id !== runId) throw new PushNotFoundError(runId);
    const { series, notes: _notes, meta, ...summary } = run;
    const percent = percentNamesOf(meta);
    const lr: LiveRun = { summary, record, series: LiveSeries.fromStored(series, percent), verdict: null, diagnosedAt: -Infinity, dirty: true, touchedAt: -Infinity, lastBatchAt: -Infinity, stale: false };
    this.live.set(runId, lr);
    return { lr, fresh: true };
  }

  private serialised<T>(runId: string, inner: () => Promise<T>): Promise<T> {
    const lock = this.o.sharedLock;
    const fn = lock ? () => lock(runId, inner) : inner;
    const prev = this.queues.get(runId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.queues.set(runId, tail);
    void tail.then(() => {
      if (this.queues.get(runId) === tail) this.queues.delete(runId);
    });
    return next;
  }
}

/** Key of the run's meta listing the series stored scaled from percent (read back by LiveSeries.fromStored on restart). */
const PERCENT_META_KEY = 'percentSeries';

function percentNamesOf(meta: Record<string, unknown>): string[] {
  return Array.isArray(meta[PERCENT_META_KEY]) ? (meta[PERCENT_META_KEY] as string[]) : [];
}

/** What a batch that showed accuracy in percent adds to its append: the stored points to rescale, a note, the meta. */
function percentAppendOptions(percent: AppendOutcome['percent'], live: LiveSeries): AppendOptions | undefined {
  if (percent.length === 0) return undefined;
  return {
    rescale: percent.filter((p) => p.rescaleStored).map((p) => ({ name: p.name, divisor: 100 })),
    notes: percent.map((p) => `${p.name}: values above 1 read as percent and scaled to 0–1${p.rescaleStored ? ' (earlier points too)' : ''}`),
    meta: { [PERCENT_META_KEY]: live.percentNames() },
  };
}
