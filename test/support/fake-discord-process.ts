/**
 * FakeDiscord in a child process, driven over IPC: for benchmarks, so Discord's side (HTTP parsing, multipart,
 * gateway) does not share the bot's event loop, as it would not in production.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SlashOption } from './fake-discord.ts';

export interface RemoteTimings {
  id: string;
  /** ms from sending INTERACTION_CREATE to the first callback (the defer) reaching Discord. */
  deferMs: number;
  /** ms from sending to the answer (the edited reply) reaching Discord. */
  answerMs: number;
  embeds: number;
  attachments: number;
}

interface Reply {
  seq: number;
  ok: boolean;
  value?: any;
  error?: string;
}

export class RemoteFakeDiscord {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private constructor(
    private readonly child: ChildProcess,
    readonly apiBase: string,
    readonly token: string,
  ) {
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
  }

  static async start(): Promise<RemoteFakeDiscord> {
    const child = fork(fileURLToPath(new URL('./fake-discord-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ apiBase: string; token: string }>((resolve, reject) => {
      child.once('message', (m: any) => resolve(m));
      child.once('exit', (code) => reject(new Error(`fake discord child exited with ${code}`)));
    });
    return new RemoteFakeDiscord(child, ready.apiBase, ready.token);
  }

  private call<T>(cmd: string, args: unknown = {}): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.child.send({ seq, cmd, args });
    });
  }

  /** Sends `count` slash commands at once; resolves with their interaction ids. */
  slashMany(count: number, name: string, options: SlashOption[]): Promise<string[]> {
    return this.call('slashMany', { count, name, options });
  }

  /** Waits until every interaction was answered; resolves with their timings. */
  timings(ids: string[], timeoutMs: number): Promise<RemoteTimings[]> {
    return this.call('timings', { ids, timeoutMs });
  }

  async stop(): Promise<void> {
    await this.call('stop').catch(() => undefined);
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }
}
