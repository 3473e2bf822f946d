/**
 * The watch core (src/app/console-watch.ts) against a receiver that fails on cue: whatever fails, what it finally
 * holds is what reading the whole text gives, each point once; backoff, give-up messages, run splits, names.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleWatch } from '../../src/app/console-watch.ts';
import { SinkError, type FinalRunStatus, type LiveRunSink } from '../../src/app/live-run-sink.ts';
import type { PushPoint } from '../../src/app/live-series.ts';
import { readConsoleText } from '../../src/ingest/console/console-reader.ts';

/** A receiver with the push API's rules (per metric, a step at or below the last one is dropped) and scripted failures. */
class FakeReceiver implements LiveRunSink {
  readonly target = 'http://test';
  readonly kind = 'server' as const;
  runs = new Map<string, { name: string; key: string; series: Map<string, { steps: number[]; values: (number | null)[]; cadence: string }>; status: string }>();
  /** Failures to throw at the next calls, in order (undefined: succeed). */
  failures: (SinkError | undefined)[] = [];
  /** When set, the batch is stored but the answer is lost (the failure is thrown after applying it). */
  loseAnswers = 0;
  calls = 0;
  duplicates = 0;
  batchSizes: number[] = [];

  private next(): void {
    this.calls++;
    const f = this.failures.shift();
    if (f) throw f;
  }
  async createRun({ name, key }: { name: string; key: string }) {
    this.next();
    for (const [id, r] of this.runs) if (r.key === key) return { id };
    const id = `r_${this.runs.size + 1}`;
    this.runs.set(id, { name, key, series: new Map(), status: 'running' });
    return { id };
  }
  async pushPoints(runId: string, points: PushPoint[]) {
    this.next();
    const run = this.runs.get(runId)!;
    let values = 0;
    for (const p of points) {
      for (const [name, v] of Object.entries(p.metrics)) {
        values++;
        let s = run.series.get(name);
        if (!s) run.series.set(name, (s = { steps: [], values: [], cadence: p.cadence ?? '?' }));
        if (s.steps.length && p.step <= s.steps.at(-1)!) {
          this.duplicates++;
          continue;
        }
        s.steps.push(p.step);
        s.values.push(v);
      }
    }
    this.batchSizes.push(values);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new SinkError('cannot reach http://test: ECONNRESET', true);
    }
    return { alerts: 0 };
  }
  async finishRun(runId: string, status: FinalRunStatus) {
    this.next();
    this.runs.get(runId)!.status = status;
  }
}

const gone = () => new SinkError('cannot reach http://test: ECONNREFUSED', true);

/** A fake clock the watch's backoff runs on. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const epochLines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Epoch ${from + i}/40 - loss: ${(1 / (from + i)).toFixed(4)} - val_loss: ${(1.3 / (from + i)).toFixed(4)}\n`).join('');

/** Runs the watch to the end: every step read, delivered, retried when due. */
async function drain(w: ConsoleWatch, c: ReturnType<typeof clock>): Promise<void> {
  for (let i = 0; i < 1000 && !w.settled; i++) {
    await w.deliver();
    c.advance(Math.max(1, w.retryIn));
  }
}

function expectHoldsReading(rx: FakeReceiver, runId: string, text: string, name = 'w'): void {
  const [read] = readConsoleText(text, name);
  const run = rx.runs.get(runId)!;
  expect(Object.fromEntries([...run.series].map(([n, s]) => [n, { steps: s.steps, values: s.values }]))).toEqual(
    Object.fromEntries(read!.series.map((s) => [s.name, { steps: [...s.steps], values: [...s.values] }])),
  );
}

describe('ConsoleWatch', () => {
  it('sends each record once while the receiver fails, loses answers and comes back, with exponential backoff', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now, backoffMs: 500, maxBackoffMs: 4000, batchValues: 7 });
    let text = '';
    const waits: number[] = [];
    for (let chunk = 0; chunk < 8; chunk++) {
      const t = epochLines(chunk * 5 + 1, chunk * 5 + 5);
      // Fed in pieces cut mid-line.
      w.write(t.slice(0, 17));
      w.write(t.slice(17));
      text += t;
      w.read();
      if (chunk === 2) rx.failures.push(gone(), gone(), gone(), gone());
      if (chunk === 5) rx.loseAnswers = 2;
      for (let k = 0; k < 6; k++) {
        await w.deliver();
        if (w.retryIn > 0) waits.push(w.retryIn);
        c.advance(w.retryIn || 1);
      }
    }
    w.end();
    w.read();
    w.finish('finished');
    await drain(w, c);
    expect(w.settled).toBe(true);
    expect(w.delivery.stopped).toBeNull();
    const [id] = w.delivery.runIds;
    expectHoldsReading(rx, id!, text);
    expect(rx.runs.get(id!)!.status).toBe('finished');
    // Doubling waits after consecutive failures, capped.
    expect(waits.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
    // The lost answers made batches come again: the receiver dropped them, nothing was stored twice.
    expect(rx.duplicates).toBeGreaterThan(0);
    expect(w.delivery.pending).toBe(0);
    expect(Math.max(...rx.batchSizes)).toBeLessThanOrEqual(7);
    expect(rx.runs.get(id!)!.series.get('loss')!.cadence).toBe('epoch');
  });

  it('waits for a curve of two points before creating the run, and then finishes it with the status asked', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now });
    w.write('batch_size: 64\nEpoch 1/3 - loss: 0.9 - val_loss: 1.0\n');
    w.read();
    await w.deliver();
    expect(rx.calls).toBe(0);
    w.write('Epoch 2/3 - loss: 0.8 - val_loss: 0.95\n');
    w.read();
    await w.deliver();
    expect([...rx.runs.values()].map((r) => r.name)).toEqual(['w']);
    w.end();
    w.read();
    w.finish('killed');
    await drain(w, c);
    expect([...rx.runs.values()][0]!.status).toBe('killed');
  });

  it('a traceback after the last record finishes the run as crashed; one before more records does not', () => {
    const a = new ConsoleWatch({ name: 'a', sink: new FakeReceiver() });
    a.write(epochLines(1, 3));
    a.write('Traceback (most recent call last):\n  File "t.py", line 3\nValueError: x\n');
    a.end();
    expect(a.settleStatus('finished')).toBe('crashed');
    expect(a.settleStatus('killed')).toBe('killed');
    const b = new ConsoleWatch({ name: 'b', sink: new FakeReceiver() });
    // Cut inside the word: found across writes.
    b.write(`${epochLines(1, 2)}Traceback (most rec`);
    b.write(`ent call last):\n  File "t.py"\nValueError: retrying\n${epochLines(3, 4)}`);
    b.end();
    expect(b.settleStatus('finished')).toBe('finished');
  });

  it('stops with one sentence when the receiver refuses, or stays away longer than it may', async () => {
    const c = clock();
    const refused = new FakeReceiver();
    refused.failures.push(new SinkError('http://test/api/v1/runs answered 401: unknown or revoked token', false));
    const a = new ConsoleWatch({ name: 'a', sink: refused, now: c.now });
    a.write(epochLines(1, 4));
    a.read();
    await a.deliver();
    expect(a.delivery.stopped).toBe('sending stopped: http://test/api/v1/runs answered 401: unknown or revoked token; 8 values read were not sent (no run was created on http://test); the verdict here still covers everything read');
    expect(a.settled).toBe(true);

    const away = new FakeReceiver();
    const b = new ConsoleWatch({ name: 'b', sink: away, now: c.now, retryForMs: 60_000 });
    b.write(epochLines(1, 4));
    b.read();
    await b.deliver();
    away.failures.push(...Array.from({ length: 100 }, gone));
    b.write(epochLines(5, 9));
    b.read();
    for (let i = 0; i < 100 && !b.delivery.stopped; i++) {
      await b.deliver();
      c.advance(Math.max(1, b.retryIn));
    }
    expect(b.delivery.stopped).toMatch(/^sending stopped: cannot reach http:\/\/test: ECONNREFUSED for \d+ s; 10 values read were not sent \(run r_1 on http:\/\/test keeps 8 values\)/);
  });

  it('stops when more values wait than the bound allows while the receiver is away', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    rx.failures.push(...Array.from({ length: 10 }, gone));
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now, maxPending: 10 });
    w.write(epochLines(1, 8));
    w.read();
    await w.deliver();
    expect(w.delivery.stopped).toMatch(/and 16 values waited for it \(more than 10\)/);
  });

  it('asks for smaller batches after a 413', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    rx.failures.push(new SinkError('http://test answered 413', false, { tooLarge: true }));
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now, batchValues: 40 });
    const text = epochLines(1, 20);
    w.write(text);
    w.end();
    w.read();
    w.finish('finished');
    await drain(w, c);
    expect(w.delivery.stopped).toBeNull();
    expect(Math.max(...rx.batchSizes)).toBe(10);
    expectHoldsReading(rx, w.delivery.runIds[0]!, text);
  });

  it('appended runs: each its own run, the earlier finished when the next begins', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now });
    w.write(epochLines(1, 6) + epochLines(1, 4));
    w.end();
    w.read();
    w.finish('finished');
    await drain(w, c);
    expect([...rx.runs.values()].map((r) => [r.name, r.status])).toEqual([
      ['w', 'finished'],
      ['w (run 2)', 'finished'],
    ]);
  });

  it('keeps one name per series when the reader renames the per-epoch twin of a per-step curve', async () => {
    const c = clock();
    const rx = new FakeReceiver();
    const w = new ConsoleWatch({ name: 'w', sink: rx, now: c.now });
    // Per epoch first; per-step lines of the same name later make the reader call the per-epoch one loss_epoch.
    w.write('epoch 1 loss: 0.9\nepoch 2 loss: 0.8\n');
    w.read();
    await w.deliver();
    const before = [...[...rx.runs.values()][0]!.series.keys()];
    w.write('epoch 3 step 10 loss: 0.7\nepoch 3 step 20 loss: 0.65\nepoch 3 loss: 0.66\n');
    w.read();
    await w.deliver();
    const series = [...rx.runs.values()][0]!.series;
    expect(before).toEqual(['loss']);
    expect(Object.fromEntries([...series].map(([n, s]) => [n, { cadence: s.cadence, steps: s.steps }]))).toEqual({
      loss: { cadence: 'epoch', steps: [1, 2, 3] },
      loss_step: { cadence: 'step', steps: [10, 20] },
    });
  });
});
