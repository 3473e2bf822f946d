/**
 * `runmedic watch`: `python -u train.py 2>&1 | runmedic watch --name resnet50 [--server URL --token T]`, or
 * `runmedic watch train.log` following a growing file. The output passes through to stdout byte for byte; a one-line
 * status goes to stderr; the records are read as they are printed and sent to a live run (a server's push API, else
 * the local database). The end of the pipe or an idle file finishes the run; Ctrl-C leaves it killed.
 * The behaviour is in src/app/console-watch.ts; this face feeds it text, decides when to read, and draws.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CliCommand, CliContext } from './command.ts';
import { UsageError } from './usage-error.ts';
import { checklistText, EXIT_SOMETHING_FAILS, STATUS_ICON } from './diagnose.ts';
import { formatNumber } from './format.ts';
import type { ConsoleWatch, WatchReading } from '../app/console-watch.ts';
import type { FinalRunStatus, LiveRunSink } from '../app/live-run-sink.ts';
import { escapeControlChars } from '../domain/control-chars.ts';
import { itemName } from '../diagnose/item-names.ts';

/** Exit code after Ctrl-C (128 + SIGINT), as a shell reports an interrupted command. */
export const EXIT_INTERRUPTED = 130;

const seconds = (name: string, v: unknown, dflt: number, min: number): number => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x) || x < min) throw new UsageError(`--${name}: expected a number of seconds ≥ ${min}, got "${String(v)}"`, 'watch');
  return x;
};

export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'read training output as it is printed (a pipe, or a growing file), keep its verdict up to date and stream its records to a server',
  args: '[FILE]',
  maxArgs: 1,
  exitCodes: '0 finished and nothing fails, 1 the verdict has a failing item, 2 bad input (options, no training records read, missing file), 130 stopped by Ctrl-C',
  options: {
    name: { type: 'string', valueName: 'NAME', description: 'the run\'s name (default: the file\'s name, else "watch <date time>")' },
    server: { type: 'string', valueName: 'URL', description: 'send the records to this runmedic server\'s push API (default $RUNMEDIC_SERVER); without one the run is stored in the local database' },
    token: { type: 'string', valueName: 'TOKEN', description: 'API token for --server (default $RUNMEDIC_TOKEN, which keeps it out of `ps`)' },
    idle: { type: 'string', valueName: 'SECONDS', description: 'a followed file that has not grown for this long finishes the run (default 600)' },
    interval: { type: 'string', valueName: 'SECONDS', description: 'how often what was printed is read and sent (default 1)' },
    'retry-for': { type: 'string', valueName: 'SECONDS', description: 'how long the server may stay unreachable before sending stops (default 600)' },
    quiet: { type: 'boolean', description: 'no status line (the final checklist is still printed to stderr)' },
  },
  async run(ctx, { positionals, values }) {
    const file = positionals[0];
    const idleMs = seconds('idle', values.idle, 600, 0.1) * 1000;
    const intervalMs = seconds('interval', values.interval, 1, 0.05) * 1000;
    const retryForMs = seconds('retry-for', values['retry-for'], 600, 0) * 1000;
    const server = typeof values.server === 'string' ? values.server : process.env.RUNMEDIC_SERVER?.trim() || undefined;
    const token = typeof values.token === 'string' ? values.token : process.env.RUNMEDIC_TOKEN?.trim() || undefined;
    if (server !== undefined && !/^https?:\/\/[^/\s]+/i.test(server)) throw new UsageError(`--server: expected an http:// or https:// URL, got "${server}"`, 'watch');
    if (server && !token) throw new UsageError('--server needs a token: --token T or RUNMEDIC_TOKEN (make one with `runmedic token create NAME --guild ID` on the server, or /token create)', 'watch');
    if (!file && process.stdin.isTTY) throw new UsageError('watch reads a pipe or a file: `python -u train.py 2>&1 | runmedic watch --name NAME`, or `runmedic watch train.log`', 'watch');
    const name = typeof values.name === 'string' && values.name.trim() ? values.name.trim() : file ? path.basename(file).replace(/\.(log|txt|out)$/i, '') : `watch ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;

    const sink = server ? (await import('../http/push-client.ts')).pushClient({ url: server, token: token! }) : await localSink(ctx);
    const { ConsoleWatch } = await import('../app/console-watch.ts');
    const watch = new ConsoleWatch({ name, sink, retryForMs });
    const screen = new StatusScreen(name, values.quiet === true, file === undefined);
    const outcome = await follow(watch, screen, { file, idleMs, intervalMs, ctx });
    screen.clear();

    const reading = watch.lastReading;
    if (watch.delivery.stopped) ctx.err(`runmedic: ${watch.delivery.stopped}`);
    if (reading.runs.length === 0) {
      ctx.err(`runmedic: no training records in the ${watch.lines.toLocaleString('en-US')} line(s) read${file ? ` from ${file}` : ''} (looked for lines that repeat with metric values, such as "loss: 0.41", "val_acc=0.8" or "Epoch 3/20 … loss 0.5")`);
      return outcome.status === 'killed' ? EXIT_INTERRUPTED : 2;
    }
    // The reader's notes (lines and templates read, names inferred) with the verdict they belong to, the last run's, as
    // `diagnose` prints them: a guessed split or name is visible where the verdict is.
    if (reading.verdict) for (const line of checklistText({ verdict: reading.verdict, from: 'file', notes: reading.runs.at(-1)?.notes ?? [] })) ctx.err(line);
    ctx.err(summaryLine(watch, outcome.status));
    if (outcome.status === 'killed') return EXIT_INTERRUPTED;
    return reading.verdict?.status === 'fail' ? EXIT_SOMETHING_FAILS : 0;
  },
};

/** The push use case over the database of --db, for a watch without a server. */
async function localSink(ctx: CliContext): Promise<LiveRunSink> {
  const [{ PushService }, { localRunSink }] = await Promise.all([import('../app/push-run.ts'), import('../app/live-run-sink.ts')]);
  const runs = await ctx.openStore();
  const push = await ctx.openPushStore!();
  // Nobody to ping here, and the status line has its own verdict: the service judges only when it must.
  const service = new PushService({ runs, push, alerts: null, log: ctx.log, alwaysDiagnoseBelow: 0, rediagnoseIntervalMs: Number.POSITIVE_INFINITY });
  return localRunSink(service, path.basename(ctx.dbPath));
}

interface FollowOptions {
  file?: string;
  idleMs: number;
  intervalMs: number;
  ctx: CliContext;
}

/**
 * Feeds the watch from stdin (passing it through) or a followed file, reads and sends every interval, and finishes
 * when the input ends or on Ctrl-C. Resolves once everything is sent or sending stopped.
 */
async function follow(watch: ConsoleWatch, screen: StatusScreen, o: FollowOptions): Promise<{ status: FinalRunStatus }> {
  const decoder = new TextDecoder('utf-8');
  let dirty = false;
  let ended = false;
  let failure: unknown = null;
  let interrupts = 0;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(10, ms));
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => {
      wake = null;
    });
  const feed = (bytes: Uint8Array) => {
    if (ended) return;
    watch.write(decoder.decode(bytes, { stream: true }));
    dirty = true;
  };
  const finishInput = () => {
    if (ended) return;
    ended = true;
    watch.write(decoder.decode());
    wake?.();
  };
  const onSignal = () => {
    interrupts++;
    // The training process got the same Ctrl-C: give it a moment to print its last lines and close the pipe.
    if (interrupts === 1) setTimeout(finishInput, o.file ? 0 : 2000).unref();
    else {
      watch.stop('stopped by a second Ctrl-C');
      finishInput();
    }
    wake?.();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const input = o.file ? followFile(o.file, o.idleMs, feed, (m) => screen.note(m), () => interrupts > 0) : readStdin(feed, screen);
  input.done.then(finishInput, (e: unknown) => {
    failure = e;
    finishInput();
  });
  try {
    let lastRead = 0;
    let readCost = 0;
    while (!ended) {
      // Reading costs O(records): on a long log it is done less often, never more than a fifth of the time.
      const every = Math.max(o.intervalMs, 4 * readCost);
      const untilRead = dirty ? lastRead + every - Date.now() : o.intervalMs;
      await sleep(watch.retryIn > 0 ? Math.min(untilRead, watch.retryIn) : untilRead);
      if (ended) break;
      if (dirty && Date.now() - lastRead >= every) {
        const t0 = Date.now();
        watch.read();
        lastRead = Date.now();
        readCost = lastRead - t0;
        dirty = false;
      }
      await watch.deliver();
      screen.show(watch);
    }
    if (failure) throw failure;
    watch.end();
    const status: FinalRunStatus = interrupts > 0 ? 'killed' : watch.settleStatus('finished');
    watch.read();
    watch.finish(status);
    for (;;) {
      await watch.deliver();
      screen.show(watch);
      if (watch.settled) break;
      await sleep(watch.retryIn);
    }
    return { status };
  } finally {
    for (const s of signals) process.off(s, onSignal);
    input.stop();
  }
}

interface InputSource {
  /** Resolves when the input ends; rejects with a user error (a file that never appeared). */
  done: Promise<void>;
  stop(): void;
}

/** stdin, passed through to stdout unchanged (a closed stdout does not stop the reading: the training goes on). */
function readStdin(feed: (b: Uint8Array) => void, screen: StatusScreen): InputSource {
  const stdin = process.stdin;
  const stdout = process.stdout;
  let stdoutOpen = true;
  // cli.ts exits on EPIPE (`runmedic runs | head`); here a closed stdout must not take the training's pipe down.
  const previous = stdout.listeners('error');
  stdout.removeAllListeners('error');
  const onError = () => {
    stdoutOpen = false;
  };
  stdout.on('error', onError);
  const done = new Promise<void>((resolve) => {
    stdin.on('data', (chunk: Buffer) => {
      if (stdoutOpen) {
        screen.beforeOutput();
        if (!stdout.write(chunk)) {
          stdin.pause();
          stdout.once('drain', () => stdin.resume());
        }
        screen.afterOutput(chunk);
      }
      feed(chunk);
    });
    stdin.once('end', resolve);
    stdin.once('error', () => resolve());
  });
  return {
    done,
    stop() {
      // Ctrl-C may leave a writer that ignored it: do not wait for its pipe to close.
      stdin.removeAllListeners('data');
      stdin.destroy();
      stdout.off('error', onError);
      for (const l of previous) stdout.on('error', l as (e: Error) => void);
    },
  };
}

/**
 * A file followed as `tail -F` does: read from its start, then as it grows; a file replaced by a new one (log
 * rotation) or truncated is read again from its start (the reader sees the counters restart: a new run). The file
 * not growing for `idleMs` ends it; so does a missing file that does not appear within that time.
 */
function followFile(file: string, idleMs: number, feed: (b: Uint8Array) => void, note: (m: string) => void, interrupted: () => boolean): InputSource {
  let stopped = false;
  const done = (async () => {
    let fh: FileHandle | null = null;
    let ino = -1;
    let pos = 0;
    let lastGrowth = Date.now();
    const buf = Buffer.alloc(1 << 20);
    let waitedNote = false;
    try {
      while (!stopped && !interrupted()) {
        const st = await stat(file).catch(() => null);
        if (!st) {
          if (!waitedNote) note(`waiting for ${file} to appear`);
          waitedNote = true;
        } else if (fh === null || st.ino !== ino) {
          await fh?.close();
          fh = await open(file, 'r');
          ino = (await fh.stat()).ino;
          if (pos > 0) note(`${file} was replaced: reading the new file from its start`);
          pos = 0;
        } else if (st.size < pos) {
          note(`${file} was truncated: reading it again from its start`);
          pos = 0;
        }
        let grew = false;
        if (fh) {
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
            if (bytesRead <= 0) break;
            pos += bytesRead;
            feed(buf.subarray(0, bytesRead));
            grew = true;
          }
        }
        if (grew) lastGrowth = Date.now();
        else if (Date.now() - lastGrowth >= idleMs) {
          if (!fh) throw new UsageError(`${file}: no such file (waited ${Math.round(idleMs / 1000)} s for it to appear)`, 'watch');
          break;
        }
        await new Promise((r) => setTimeout(r, Math.min(250, idleMs / 4)));
      }
    } finally {
      await fh?.close();
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
    },
  };
}

/**
 * The one-line status on stderr. On a terminal it is redrawn in place below the passed-through output (cleared before
 * each write of it, drawn again only when that output is at the start of a line, so a progress bar being redrawn is
 * never overwritten); elsewhere (a CI log, a file) a line is printed only when what it says changes.
 */
class StatusScreen {
  private readonly tty: boolean;
  /** Whether stdout shares the screen (output passed through to the same terminal). */
  private readonly sharesScreen: boolean;
  private shown = false;
  private drawn = '';
  private atLineStart = true;
  private lastHeadline = '';

  constructor(
    private readonly name: string,
    private readonly quiet: boolean,
    passthrough: boolean,
  ) {
    this.tty = process.stderr.isTTY === true;
    this.sharesScreen = passthrough && process.stdout.isTTY === true;
  }

  beforeOutput(): void {
    if (this.shown && this.sharesScreen) this.erase();
  }

  afterOutput(chunk: Uint8Array): void {
    if (chunk.length > 0) this.atLineStart = chunk[chunk.length - 1] === 10;
  }

  /** A message of its own line (waiting for a file, a rotation). */
  note(message: string): void {
    if (this.shown) this.erase();
    process.stderr.write(`runmedic: ${escapeControlChars(message)}\n`);
  }

  show(watch: ConsoleWatch): void {
    if (this.quiet) return;
    const { line, headline } = statusLine(this.name, watch);
    if (this.tty) {
      if (this.sharesScreen && !this.atLineStart) return;
      // A terminal that reports no size (0 columns) gets an ordinary width.
      const text = fit(line, Math.max(20, (process.stderr.columns || 100) - 1));
      if (this.shown && text === this.drawn) return;
      process.stderr.write(`\r\x1b[K${text}`);
      this.drawn = text;
      this.shown = true;
    } else if (headline !== this.lastHeadline) {
      this.lastHeadline = headline;
      process.stderr.write(`runmedic: ${line}\n`);
    }
  }

  clear(): void {
    if (this.shown) this.erase();
  }

  private erase(): void {
    process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

/** `resnet50 · epoch 7 · loss 0.412 · val_loss 0.533 · ❌ Overfitting · 1,234 values sent`; `headline` leaves out what changes every epoch. */
export function statusLine(name: string, watch: Pick<ConsoleWatch, 'lastReading' | 'delivery' | 'target' | 'retryIn' | 'toServer'>): { line: string; headline: string } {
  const r: WatchReading = watch.lastReading;
  const parts = [escapeControlChars(name)];
  const progress: string[] = [];
  if (r.epoch !== null) progress.push(`epoch ${formatNumber(r.epoch)}`);
  for (const v of r.latest) progress.push(`${escapeControlChars(v.name)} ${formatNumber(v.value)}`);
  if (r.runs.length > 1) parts.push(`run ${r.runs.length}`);
  const verdict = verdictWords(r);
  const sending = sendingWords(watch);
  const headline = [...parts, verdict.headline, sending.headline].join(' · ');
  return { line: [...parts, ...progress, verdict.text, sending.text].filter(Boolean).join(' · '), headline };
}

function verdictWords(r: WatchReading): { text: string; headline: string } {
  if (!r.verdict) return { text: 'no training records yet', headline: 'no training records yet' };
  const problems = r.verdict.items.filter((i) => i.status === 'fail' || i.status === 'warn');
  if (problems.length === 0) return { text: `${STATUS_ICON.pass} no problem so far`, headline: 'no problem so far' };
  const names = [...problems.filter((p) => p.status === 'fail'), ...problems.filter((p) => p.status === 'warn')].map((p) => `${STATUS_ICON[p.status]} ${itemName(p.id)}`);
  const text = names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', ');
  return { text, headline: text };
}

function sendingWords(watch: Pick<ConsoleWatch, 'delivery' | 'target' | 'retryIn' | 'toServer'>): { text: string; headline: string } {
  const d = watch.delivery;
  if (d.stopped) return { text: 'not sending (see above)', headline: 'not sending' };
  if (d.failing) {
    const secs = Math.ceil(watch.retryIn / 1000);
    return {
      text: `${watch.target} unreachable (${shortError(d.failing.error)}), retry in ${secs} s, ${d.pending.toLocaleString('en-US')} values waiting`,
      headline: `${watch.target} unreachable`,
    };
  }
  const run = d.runIds.length ? ` (${d.runIds.at(-1)})` : '';
  const verb = watch.toServer ? 'sent to' : 'stored in';
  return { text: `${d.sent.toLocaleString('en-US')} values ${verb} ${watch.target}${run}`, headline: d.runIds.length ? `${verb} ${watch.target}${run}` : '' };
}

function shortError(e: string): string {
  const m = /: ([^:]+)$/.exec(e);
  return (m ? m[1]! : e).slice(0, 60);
}

function summaryLine(watch: ConsoleWatch, status: FinalRunStatus): string {
  const d = watch.delivery;
  const runs = watch.lastReading.runs;
  const ids = d.runIds.length ? d.runIds.join(', ') : 'no run';
  const alerts = d.alerts ? `, ${d.alerts} alert${d.alerts === 1 ? '' : 's'} sent to Discord` : '';
  const more = runs.length > 1 ? ` (${runs.length} runs: the counters restarted in the output)` : '';
  const where = watch.toServer ? `sent to ${watch.target}` : `stored in ${watch.target}`;
  const unsent = d.pending ? `; ${d.pending.toLocaleString('en-US')} not sent` : '';
  const next = !watch.toServer && d.runIds.length ? ` (\`runmedic diagnose ${d.runIds.at(-1)}\`)` : '';
  return `runmedic: ${escapeControlChars(runs.at(-1)?.name ?? '')} ${status}${more}; ${d.sent.toLocaleString('en-US')} values ${where} as ${ids}${next}${alerts}${unsent}`;
}

/** Cut to `width` characters (code points) with an ellipsis. */
function fit(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, width - 1).join('')}…`;
}
