/** The push API on a real socket (port 0) over an in-memory database, with a steppable clock. */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { PushService, type PushServiceOptions } from '../../src/app/push-run.ts';
import { createApiToken } from '../../src/app/api-tokens.ts';
import { startApiServer, type ApiServerOptions, type RunningApi } from '../../src/http/api-server.ts';
import { silentLogger } from '../../src/logger.ts';

export interface ApiHarnessOptions {
  db?: Database;
  alerts?: AlertService | null;
  service?: Partial<PushServiceOptions>;
  server?: Partial<ApiServerOptions>;
}

export class ApiHarness {
  clock = 1_800_000_000_000;
  readonly now = () => this.clock;
  private constructor(
    readonly db: Database,
    readonly runs: SqliteRunStore,
    readonly push: SqlitePushStore,
    readonly alerts: AlertService | null,
    readonly service: PushService,
    readonly api: RunningApi,
  ) {}

  static async start(o: ApiHarnessOptions = {}): Promise<ApiHarness> {
    const db = o.db ?? openDatabase(':memory:');
    const runs = new SqliteRunStore(db);
    const push = new SqlitePushStore(db);
    const alerts = o.alerts === undefined ? new AlertService(new SqliteAlertStore(db)) : o.alerts;
    let h: ApiHarness | null = null;
    const now = () => h?.clock ?? 1_800_000_000_000;
    const service = new PushService({ runs, push, alerts, now, ...o.service });
    const api = await startApiServer({ service, tokens: push, log: silentLogger(), host: '127.0.0.1', port: 0, now, ...o.server });
    h = new ApiHarness(db, runs, push, alerts, service, api);
    return h;
  }

  async token(guildId: string, name = 'test'): Promise<string> {
    return (await createApiToken(this.push, { guildId, name }, this.clock)).token;
  }

  async call(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(this.api.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* leave as text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async stop(): Promise<void> {
    await this.api.close();
    this.db.close();
  }
}

/** The copy-paste clients in examples/clients, run as a user would run them: in their own process, over the socket. */
export const CLIENTS_DIR = path.join(REPO_ROOT, 'examples', 'clients');

/** Whether a command runs at all (`python3 --version`, `curl --version`): a client test skips, saying so, without it. */
export function commandWorks(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The modules python3 lacks among `modules`, found without importing them (importing torch alone takes seconds). */
export function missingPythonModules(...modules: string[]): string[] {
  const code = 'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
  try {
    return execFileSync('python3', ['-c', code, ...modules], { encoding: 'utf8', timeout: 10_000 }).trim().split(/\s+/).filter(Boolean);
  } catch {
    return ['python3'];
  }
}

export interface ClientOutput {
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, ms (framework imports dominate). */
  ms: number;
  /** The object the script printed on its `RESULT {json}` line, if any. */
  result: any;
}

/** Runs a client process to completion; rejects with its stderr when it exits non-zero. */
export function runClient(cmd: string, args: string[], o: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<ClientOutput> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env: { ...process.env, ...o.env }, cwd: o.cwd, timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${cmd} failed: ${err.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      resolve({ stdout, stderr, ms: Math.round(performance.now() - started), result: line ? JSON.parse(line.slice(7)) : undefined });
    }),
  );
}
