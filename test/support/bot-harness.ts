/**
 * The whole bot against the fake Discord: a store on a temp SQLite file, the alert service, the real discord.js
 * client logged into FakeDiscord. `restart()` stops the bot and closes the database, then reopens both, as a
 * process restart would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { SqliteThreadReadingStore } from '../../src/store/sqlite-thread-reading-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { storedRunContexts } from '../../src/app/diagnose-run.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { startBot, type RunningBot } from '../../src/bot/bot.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import type { RunSummary } from '../../src/domain/run.ts';
import { FakeDiscord, type FakeDiscordOptions } from './fake-discord.ts';

export interface HarnessOptions {
  env?: Record<string, string>;
  outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; pollMs?: number };
  log?: Logger;
  /** Options of the fake Discord (e.g. an application without the Message Content intent). */
  fake?: FakeDiscordOptions;
  /** RunReporter cache size (0: every report computed afresh). */
  reporterCacheSize?: number;
}

export class BotHarness {
  fake!: FakeDiscord;
  bot!: RunningBot;
  db!: Database;
  store!: SqliteRunStore;
  alerts!: AlertService;
  reporter!: RunReporter;
  config!: Config;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'runmedic-bot-'));
  private constructor(private readonly opts: HarnessOptions) {}

  static async start(opts: HarnessOptions = {}): Promise<BotHarness> {
    const h = new BotHarness(opts);
    h.fake = await FakeDiscord.start(opts.fake);
    h.config = loadConfig({
      RUNMEDIC_DB: path.join(h.dir, 'runmedic.db'),
      DISCORD_API_BASE: h.fake.apiBase,
      DISCORD_TOKEN: h.fake.token,
      ...opts.env,
    });
    await h.open();
    return h;
  }

  private async open(): Promise<void> {
    this.db = openDatabase(this.config.dbPath);
    this.store = new SqliteRunStore(this.db);
    this.alerts = new AlertService(new SqliteAlertStore(this.db));
    // As src/main.ts wires it: pushed runs reported with their declared context and state (stalled), job runs with theirs.
    this.reporter = new RunReporter(this.store, {
      cacheSize: this.opts.reporterCacheSize,
      contexts: storedRunContexts({ jobs: new SqliteJobStore(this.db), pushed: new SqlitePushStore(this.db) }),
    });
    this.bot = await startBot({
      config: this.config,
      log: this.opts.log ?? silentLogger(),
      store: this.store,
      alerts: this.alerts,
      reporter: this.reporter,
      token: this.config.discordToken!,
      apiTokens: new SqlitePushStore(this.db),
      threadReading: new SqliteThreadReadingStore(this.db),
      restRetries: 0,
      readyTimeoutMs: 5000,
      outbox: { baseBackoffMs: 50, maxBackoffMs: 400, pollMs: 200, ...this.opts.outbox },
    });
  }

  /** Bot and database closed and reopened from the same file, Discord untouched. */
  async restart(between?: () => Promise<void> | void): Promise<void> {
    await this.bot.stop();
    this.db.close();
    await between?.();
    await this.open();
  }

  /** Stores a Keras-history run directly (no Discord), for commands that read runs. */
  async seedRun(json: string, name: string): Promise<RunSummary> {
    const [log] = kerasHistoryParser.parse(json, `${name}.json`);
    const [saved] = await this.store.saveRuns([
      { log: { ...log, name }, source: { format: log.format, fileName: `${name}.json`, contentHash: `${name}:${json.length}:${hash(json)}` } },
    ]);
    return saved.run;
  }

  async stop(): Promise<void> {
    await this.bot?.stop().catch(() => undefined);
    try {
      this.db?.close();
    } catch {
      /* already closed */
    }
    await this.fake.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function hash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}
