/**
 * Rasterising in a child process, for the long-running service. resvg is native code: a panic there aborts the
 * process it runs in (a worker thread does not help: the abort takes the whole process), and the bot, the HTTP API
 * and the scheduler share one process. Here a chart that kills the rasteriser costs that chart (answered with a
 * sentence) and ~0.6 s to start a new child, nothing else.
 *
 * Cost, measured on the million-point bench chart (2-core machine): 21.5 ms in process, 22.7 ms through the child
 * (the SVG is ~70 KB, the PNG ~50 KB over IPC); the child starts in ~0.6 s, on the first chart. It also takes the
 * 20–30 ms of rasterising per chart off the event loop that serves Discord and the API.
 *
 * The child draws one SVG at a time, in the order sent, so when it dies the request at the head of the queue is
 * the one that killed it: that one is refused, the others are sent again to a new child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ChartError } from '../charts/chart-error.ts';
import type { Logger } from '../logger.ts';
import type { Rasteriser } from './chart-images.ts';

export interface RasterRequest {
  id: number;
  svg: string;
  scale: number;
}

export type RasterReply = { id: number; png: Uint8Array } | { id: number; error: string; chartError: boolean };

export interface RasteriserProcessOptions {
  log?: Logger;
  /** Longest one chart may take before the child is killed and the chart refused. */
  timeoutMs?: number;
  /** The child's module (tests give one that aborts); default rasteriser-child.ts. */
  childModule?: string;
}

interface Pending {
  req: RasterRequest;
  resolve: (png: Uint8Array) => void;
  reject: (e: Error) => void;
}

// The child in the form this process runs in: compiled JavaScript beside this file (dist/), or TypeScript via tsx.
const CHILD = fileURLToPath(new URL(`./rasteriser-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

export class RasteriserProcess {
  private child: ChildProcess | null = null;
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private headTimedOut = false;
  private closed = false;
  private stderrTail = '';
  /** Children started so far (the first, and one after each crash). */
  starts = 0;
  private readonly timeoutMs: number;

  constructor(private readonly o: RasteriserProcessOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? 30_000;
  }

  readonly rasterise: Rasteriser = (svg, scale) =>
    new Promise<Uint8Array>((resolve, reject) => {
      if (this.closed) return reject(new ChartError('the drawing process is shut down'));
      const req = { id: ++this.seq, svg, scale };
      this.pending.set(req.id, { req, resolve, reject });
      if (!this.child) this.spawn();
      else if (this.ready) this.send(req);
    });

  /** Stops the child; charts still waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchdog();
    for (const p of this.pending.values()) p.reject(new ChartError('the drawing process is shut down'));
    this.pending.clear();
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
  }

  private spawn(): void {
    this.starts++;
    this.ready = false;
    this.stderrTail = '';
    const file = this.o.childModule ?? CHILD;
    const child = fork(file, [], {
      // tsx only for a TypeScript child (development, tests); the compiled program does not depend on it.
      execArgv: file.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    child.on('message', (m: RasterReply | { ready: true }) => {
      if (child !== this.child) return;
      if ('ready' in m) {
        this.ready = true;
        for (const p of this.pending.values()) this.send(p.req);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.armWatchdog();
      if ('png' in m) p.resolve(new Uint8Array(m.png.buffer, m.png.byteOffset, m.png.byteLength));
      else p.reject(m.chartError ? new ChartError(m.error.replace(/^chart not drawn: /, '')) : new Error(m.error));
    });
    child.on('error', (err) => this.o.log?.warn({ err: err.message }, 'rasteriser process error'));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private send(req: RasterRequest): void {
    this.child!.send(req);
    if (!this.watchdog) this.armWatchdog();
  }

  /** Times the request at the head of the queue: the one the child is drawing. */
  private armWatchdog(): void {
    this.stopWatchdog();
    if (this.pending.size === 0 || !this.ready) return;
    this.watchdog = setTimeout(() => {
      this.headTimedOut = true;
      this.child?.kill('SIGKILL');
    }, this.timeoutMs);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.stopWatchdog();
    const wasReady = this.ready;
    this.child = null;
    this.ready = false;
    if (this.closed) return;
    const how = this.headTimedOut ? `took longer than ${this.timeoutMs} ms` : signal ? `stopped (${signal})` : `exited with code ${code}`;
    this.headTimedOut = false;
    const head = this.pending.values().next().value as Pending | undefined;
    this.o.log?.warn({ code, signal, pending: this.pending.size, stderr: this.stderrTail.trim().split('\n').slice(-3).join(' | ') }, 'rasteriser process ended');
    if (!wasReady) {
      // It never started: nothing to blame on one chart, and starting it again at once would loop.
      for (const p of this.pending.values()) p.reject(new ChartError(`the drawing process could not start (${how})`));
      this.pending.clear();
      return;
    }
    if (head) {
      this.pending.delete(head.req.id);
      head.reject(new ChartError(`the drawing process ${how} on this chart`));
    }
    if (this.pending.size > 0) this.spawn();
  }
}
