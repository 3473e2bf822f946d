/**
 * One process's worth of runmedic with training jobs on a database file, wired as src/main.ts wires it (run, alert
 * and job stores, the job queue, the reporter with the jobs' measured contexts, the bot), for the tests that drive
 * /train, Rerun with fix and restarts through the fake Discord.
 */
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { storedRunContexts } from '../../src/app/diagnose-run.ts';
import { SqlitePushStore } from '../../src/store/sqlite-push-store.ts';
import { TrainingJobs } from '../../src/app/training-jobs.ts';
import { SqliteRangeTestStore } from '../../src/store/sqlite-range-test-store.ts';
import { startBot, type RunningBot } from '../../src/bot/bot.ts';

export interface TrainingService {
  db: Database;
  store: SqliteRunStore;
  alerts: AlertService;
  jobStore: SqliteJobStore;
  jobs: TrainingJobs;
  bot: RunningBot;
}

export async function startTrainingService(config: Config, token: string): Promise<TrainingService> {
  const db = openDatabase(config.dbPath);
  const store = new SqliteRunStore(db);
  const alerts = new AlertService(new SqliteAlertStore(db));
  const jobStore = new SqliteJobStore(db);
  const jobs = new TrainingJobs({ jobs: jobStore, runs: store, rangeTests: new SqliteRangeTestStore(db), concurrency: config.jobConcurrency, afterVerdict: (v) => alerts.afterVerdict(v) });
  const reporter = new RunReporter(store, { contexts: storedRunContexts({ jobs: jobStore, pushed: new SqlitePushStore(db) }) });
  // startBot starts the queue after re-attaching to queued jobs, as in src/main.ts.
  const bot = await startBot({ config, log: silentLogger(), store, alerts, reporter, jobs, token, restRetries: 0, readyTimeoutMs: 5000 });
  return { db, store, alerts, jobStore, jobs, bot };
}

/** As src/main.ts stops: the queue first (running jobs killed, recorded interrupted), then the client, then the file. */
export async function stopTrainingService(s: TrainingService): Promise<void> {
  await s.jobs.stop();
  await s.bot.stop().catch(() => undefined);
  s.db.close();
}
