/**
 * `runmedic watch`: console output read as it is printed, its records sent to a live run as they are read, and the
 * verdict kept up to date. The face (src/cli/watch.ts) feeds the text, decides when to read and draws the status;
 * this holds the reading and the delivery.
 *
 * Delivery never loses or repeats a record: what the receiver acknowledged is a cursor per series (the last step it
 * took), and what is still to send is read from the console reader's own records beyond it, so a failed attempt just
 * leaves the cursor where it was and the next attempt sends the same points and any newer ones. The receiver drops a
 * step it already has (a batch whose answer was lost and that is sent again), so nothing is stored twice. Failures
 * back off exponentially; sending stops, with one sentence saying why and what was not sent, when the receiver
 * refuses (a bad token), when it has been unreachable longer than `retryForMs`, or when more than `maxPending`
 * values wait for it.
 */
import { randomUUID } from 'node:crypto';
import type { RunLog, Series } from '../domain/run.ts';
import type { Verdict } from '../domain/verdict.ts';
import { diagnose } from '../diagnose/index.ts';
import { ConsoleReader } from '../ingest/console/console-reader.ts';
import type { PushPoint } from './live-series.ts';
import { SinkError, type FinalRunStatus, type LiveRunSink } from './live-run-sink.ts';

export interface ConsoleWatchOptions {
  /** The run's name (later runs appended in the same output get " (run 2)" …). */
  name: string;
  sink: LiveRunSink;
  /** ms since the Unix epoch. */
  now?: () => number;
  /** How long the receiver may stay unreachable before sending stops (ms). */
  retryForMs?: number;
  /** Most metric values that may wait for an unreachable receiver before sending stops. */
  maxPending?: number;
  /** The wait after the first failed attempt, doubled after each further one up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Most metric values per request. */
  batchValues?: number;
  /** The client's key for each run (a retried create returns the same run). */
  newKey?: () => string;
}

/** What has been read so far. */
export interface WatchReading {
  runs: RunLog[];
  /** The verdict of the last run read (null before any training record). */
  verdict: Verdict | null;
  /** The last run's latest epoch (null when it has none). */
  epoch: number | null;
  /** Latest values of the curves people look at first: training loss, validation loss, validation accuracy. */
  latest: { name: string; value: number }[];
}

export interface DeliveryState {
  /** Metric values the receiver acknowledged. */
  sent: number;
  /** Values read but not acknowledged yet. */
  pending: number;
  /** Ids of the runs created on the receiver, in order. */
  runIds: string[];
  /** Pings the receiver said it enqueued. */
  alerts: number;
  /** The receiver is failing: since when, the last error, and when the next attempt is due (ms). */
  failing: { since: number; error: string; attempts: number; retryAt: number } | null;
  /** Why sending stopped for good (null while it goes on). */
  stopped: string | null;
}

interface Cursor {
  /** The name the receiver knows the series by (unique within the run). */
  name: string;
  /** The last step the receiver acknowledged for it. */
  acked: number;
}

interface RunState {
  key: string;
  name: string;
  id: string | null;
  cursors: Map<string, Cursor>;
  names: Set<string>;
  finished: boolean;
}

/** Why a Python script stopped: its traceback printed after the last record. */
const TRACEBACK = 'Traceback (most recent call last):';

export class ConsoleWatch {
  private readonly reader = new ConsoleReader();
  private readonly now: () => number;
  private readonly retryForMs: number;
  private readonly maxPending: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private batchValues: number;
  private readonly newKey: () => string;
  private readonly states: RunState[] = [];
  private reading: WatchReading = { runs: [], verdict: null, epoch: null, latest: [] };
  private ended = false;
  private finalStatus: FinalRunStatus | null = null;
  private tracebackLine = 0;
  private carry = '';
  private delivering: Promise<void> | null = null;
  readonly delivery: DeliveryState = { sent: 0, pending: 0, runIds: [], alerts: 0, failing: null, stopped: null };

  constructor(private readonly o: ConsoleWatchOptions) {
    this.now = o.now ?? Date.now;
    this.retryForMs = o.retryForMs ?? 10 * 60_000;
    this.maxPending = o.maxPending ?? 1_000_000;
    this.backoffMs = o.backoffMs ?? 500;
    this.maxBackoffMs = o.maxBackoffMs ?? 30_000;
    this.batchValues = o.batchValues ?? 5_000;
    this.newKey = o.newKey ?? (() => `watch-${randomUUID()}`);
  }

  /** Where the records go. */
  get target(): string {
    return this.o.sink.target;
  }

  /** Whether they go to a server (else the local database). */
  get toServer(): boolean {
    return this.o.sink.kind === 'server';
  }

  /** Adds printed text (any chunking). */
  write(text: string): void {
    const before = this.reader.physicalLines;
    const scan = this.carry + text;
    const at = scan.lastIndexOf(TRACEBACK);
    if (at >= 0 && at + TRACEBACK.length > this.carry.length) {
      // The physical line it is on: lines completed before this text, plus the line breaks before it.
      let line = before + 1;
      for (let i = scan.indexOf('\n', this.carry.length); i >= 0 && i < at; i = scan.indexOf('\n', i + 1)) line++;
      this.tracebackLine = line;
    }
    this.carry = scan.slice(-TRACEBACK.length);
    this.reader.push(text);
  }

  /** The output is complete (the pipe closed, the file went idle, or watching was stopped). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader.end();
  }

  /** Physical lines read. */
  get lines(): number {
    return this.reader.physicalLines;
  }

  /** Reads what was written so far: the runs, the last run's verdict, and what is still to send. */
  read(): WatchReading {
    const runs = this.reader.runs(this.o.name);
    const last = runs.at(-1);
    const verdict = last ? diagnose({ id: last.name, name: last.name, format: last.format, series: last.series }) : null;
    this.reading = { runs, verdict, epoch: last ? lastEpoch(last) : null, latest: last ? latestValues(last) : [] };
    let pending = 0;
    runs.forEach((run, i) => {
      const st = this.stateOf(i);
      for (const s of run.series) pending += s.steps.length - firstAbove(s.steps, this.cursorOf(st, s).acked);
    });
    this.delivery.pending = pending;
    return this.reading;
  }

  /** The reading of the last `read()`. */
  get lastReading(): WatchReading {
    return this.reading;
  }

  /**
   * The status the last run finishes with: 'finished', or 'crashed' when a Python traceback was printed after the
   * last record; 'killed' is the caller's (Ctrl-C).
   */
  settleStatus(requested: FinalRunStatus): FinalRunStatus {
    if (requested === 'finished' && this.tracebackLine > 0 && this.tracebackLine > this.reader.lastRecordLine) return 'crashed';
    return requested;
  }

  /** Asks for the runs to be finished with this status once everything read is sent (call `end` and `read` first). */
  finish(status: FinalRunStatus): void {
    this.finalStatus = status;
  }

  /** Everything read is sent and every run finished (or sending stopped). */
  get settled(): boolean {
    if (this.delivery.stopped) return true;
    if (this.finalStatus === null) return false;
    return this.reading.runs.every((_, i) => this.states[i]?.finished === true);
  }

  /** ms until the next attempt is due (0: now). */
  get retryIn(): number {
    const f = this.delivery.failing;
    return f ? Math.max(0, f.retryAt - this.now()) : 0;
  }

  /** Stops sending (the user gave up waiting): says what was not sent. */
  stop(reason: string): void {
    if (!this.delivery.stopped) this.delivery.stopped = `${reason}; ${this.unsentText()}`;
  }

  /**
   * Sends what the last `read()` found and the receiver does not have yet, until it is all sent, an attempt fails
   * (the next one is due after `retryIn`), or sending stops. Never throws; one delivery at a time.
   */
  deliver(): Promise<void> {
    this.delivering ??= this.deliverNow().finally(() => {
      this.delivering = null;
    });
    return this.delivering;
  }

  private async deliverNow(): Promise<void> {
    for (;;) {
      if (this.delivery.stopped || this.retryIn > 0) return;
      const step = this.nextStep();
      if (!step) return;
      try {
        await step();
        this.delivery.failing = null;
      } catch (e) {
        if (!this.failed(e)) return;
      }
    }
  }

  /** Records a failed attempt; true when the next one may follow right away (a smaller batch). */
  private failed(e: unknown): boolean {
    const now = this.now();
    if (!(e instanceof SinkError)) {
      this.stop(`${this.target} refused the records: ${(e as Error)?.message ?? String(e)}`);
      return false;
    }
    if (e.o.tooLarge && this.batchValues > 1) {
      this.batchValues = Math.max(1, Math.floor(this.batchValues / 4));
      return true;
    }
    if (!e.retryable) {
      this.stop(`sending stopped: ${e.message}`);
      return false;
    }
    const prev = this.delivery.failing;
    const attempts = (prev?.attempts ?? 0) + 1;
    const since = prev?.since ?? now;
    const wait = Math.max(e.o.retryAfterMs ?? 0, Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempts - 1)));
    this.delivery.failing = { since, error: e.message, attempts, retryAt: now + wait };
    if (now - since >= this.retryForMs) this.stop(`sending stopped: ${e.message} for ${formatDuration(now - since)}`);
    else if (this.delivery.pending > this.maxPending) this.stop(`sending stopped: ${e.message}, and ${this.delivery.pending.toLocaleString('en-US')} values waited for it (more than ${this.maxPending.toLocaleString('en-US')})`);
    return false;
  }

  /** What not sending means, for the message when sending stops. */
  private unsentText(): string {
    const ids = this.delivery.runIds;
    const pending = this.delivery.pending;
    const runs = ids.length ? `run ${ids.join(', ')} on ${this.target} keeps ${this.delivery.sent.toLocaleString('en-US')} values` : `no run was created on ${this.target}`;
    return `${pending.toLocaleString('en-US')} value${pending === 1 ? '' : 's'} read were not sent (${runs}); the verdict here still covers everything read`;
  }

  /** The next thing to do: create a run, send a batch, or finish a run; null when there is nothing. */
  private nextStep(): (() => Promise<void>) | null {
    const runs = this.reading.runs;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const st = this.stateOf(i);
      if (st.finished) continue;
      const isLast = i === runs.length - 1;
      if (st.id === null) {
        // A run is created once it reads as training (a curve of two points), or at the end whatever it holds.
        if (!this.ended && !run.series.some((s) => s.values.length >= 2)) return null;
        return async () => {
          const { id } = await this.o.sink.createRun({ name: st.name, key: st.key });
          st.id = id;
          this.delivery.runIds.push(id);
        };
      }
      const batch = this.batchOf(run, st);
      if (batch) {
        return async () => {
          const { alerts } = await this.o.sink.pushPoints(st.id!, batch.points);
          for (const [cursor, step] of batch.upTo) cursor.acked = Math.max(cursor.acked, step);
          this.delivery.sent += batch.values;
          this.delivery.pending = Math.max(0, this.delivery.pending - batch.values);
          this.delivery.alerts += alerts;
        };
      }
      // Everything of this run is sent: an earlier run ended where the next began; the last ends with the output.
      if (!isLast || this.finalStatus !== null) {
        const status = isLast ? this.finalStatus! : 'finished';
        return async () => {
          await this.o.sink.finishRun(st.id!, status);
          st.finished = true;
        };
      }
      return null;
    }
    return null;
  }

  /** The next points of a run not yet acknowledged, oldest first, at most `batchValues` values. */
  private batchOf(run: RunLog, st: RunState): { points: PushPoint[]; values: number; upTo: Map<Cursor, number> } | null {
    const items: { step: number; epoch: number; value: number; cursor: Cursor; cadence: Series['cadence'] }[] = [];
    for (const s of run.series) {
      const cursor = this.cursorOf(st, s);
      const from = firstAbove(s.steps, cursor.acked);
      const to = Math.min(s.steps.length, from + this.batchValues);
      for (let i = from; i < to; i++) items.push({ step: s.steps[i]!, epoch: s.epochs ? s.epochs[i]! : NaN, value: s.values[i]!, cursor, cadence: s.cadence });
    }
    if (items.length === 0) return null;
    items.sort((a, b) => a.step - b.step);
    if (items.length > this.batchValues) items.length = this.batchValues;
    const points = new Map<string, PushPoint>();
    const upTo = new Map<Cursor, number>();
    for (const it of items) {
      upTo.set(it.cursor, it.step);
      // The push API takes steps from 0; a console counter never goes below it, but a point that did could not be sent.
      if (!Number.isFinite(it.step) || it.step < 0) continue;
      const epoch = Number.isFinite(it.epoch) && it.epoch >= 0 ? it.epoch : undefined;
      const k = `${it.cadence}\u0000${it.step}\u0000${epoch ?? ''}`;
      let p = points.get(k);
      if (!p) points.set(k, (p = { step: it.step, ...(epoch !== undefined ? { epoch } : {}), cadence: it.cadence, metrics: {} }));
      p.metrics[it.cursor.name] = Number.isFinite(it.value) ? it.value : null;
    }
    if (points.size === 0) {
      // Nothing sendable among them: acknowledge them as skipped so they are not looked at again.
      for (const [c, step] of upTo) c.acked = Math.max(c.acked, step);
      return this.batchOf(run, st);
    }
    return { points: [...points.values()], values: items.length, upTo };
  }

  private stateOf(i: number): RunState {
    while (this.states.length <= i) {
      const n = this.states.length;
      this.states.push({ key: this.newKey(), name: n === 0 ? this.o.name : `${this.o.name} (run ${n + 1})`, id: null, cursors: new Map(), names: new Set(), finished: false });
    }
    return this.states[i]!;
  }

  /**
   * A series' cursor, by what it is rather than by its printed name: the reader calls an epoch-level curve
   * `<name>_epoch` once the same name is also logged per step, and the receiver must keep seeing one series.
   */
  private cursorOf(st: RunState, s: Series): Cursor {
    const base = s.cadence === 'epoch' && s.name.endsWith('_epoch') ? s.name.slice(0, -'_epoch'.length) : s.name;
    const id = `${s.cadence}\u0000${s.key}\u0000${s.split}\u0000${base}`;
    let c = st.cursors.get(id);
    if (!c) {
      let name = s.name;
      if (st.names.has(name)) name = `${base}_${s.cadence}`;
      for (let k = 2; st.names.has(name); k++) name = `${base}_${s.cadence}_${k}`;
      st.names.add(name);
      st.cursors.set(id, (c = { name, acked: -Infinity }));
    }
    return c;
  }
}

/** Index of the first step above `x` (steps rise within a series). */
function firstAbove(steps: Float64Array, x: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function lastEpoch(run: RunLog): number | null {
  let e = -Infinity;
  for (const s of run.series) {
    const last = s.epochs?.[s.epochs.length - 1];
    if (last !== undefined && Number.isFinite(last) && last > e) e = last;
  }
  return Number.isFinite(e) ? e : null;
}

function latestValues(run: RunLog): { name: string; value: number }[] {
  const pick = (key: string, split: string) => {
    const all = run.series.filter((s) => s.key === key && s.split === split && s.values.length > 0);
    // The per-step curve when there is one (it is the newest), else the per-epoch one.
    const s = all.find((x) => x.cadence === 'step') ?? all[0];
    return s ? [{ name: s.name, value: s.values[s.values.length - 1]! }] : [];
  };
  return [...pick('loss', 'train'), ...pick('loss', 'val'), ...pick('accuracy', 'val')];
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}
