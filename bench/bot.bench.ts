/**
 * /diagnose end to end through the real discord.js client and the fake Discord: slash command sent → reply edited
 * with embed, PNG and buttons. On a run of 1 M points: 20 calls one after another, with the report cache off (every
 * call loads, diagnoses and draws) and on; then 100 concurrent calls (every defer within 3 s, every answer within 10 s).
 * The fake Discord runs in a child process so that its HTTP and multipart work does not share the bot's event loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { SqliteRunStore } from '../src/store/sqlite-run-store.ts';
import { SqliteAlertStore } from '../src/store/sqlite-alert-store.ts';
import { AlertService } from '../src/alerts/alert-service.ts';
import { RunReporter } from '../src/app/run-report.ts';
import { startBot } from '../src/bot/bot.ts';
import { diagnoseStored } from '../src/app/diagnose-run.ts';
import { renderRunChart } from '../src/charts/run-chart.ts';
import type { RunLog, Series } from '../src/domain/run.ts';
import { RemoteFakeDiscord } from '../test/support/fake-discord-process.ts';

const POINTS = 1_000_000;

/** A step-logged run: train loss every step (≈990 k points) and validation loss every 1000 steps, overfitting late. */
function bigRunLog(): RunLog {
  const evalEvery = 1000;
  const trainN = POINTS - Math.floor(POINTS / evalEvery);
  const valN = POINTS - trainN;
  const stepsPerEpoch = 20_000;
  const make = (key: string, split: 'train' | 'val', n: number, every: number, f: (step: number, i: number) => number): Series => {
    const steps = new Float64Array(n);
    const epochs = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const step = (i + 1) * every;
      steps[i] = step;
      epochs[i] = step / stepsPerEpoch;
      values[i] = f(step, i);
    }
    return { key, split, name: split === 'train' ? 'loss' : 'val_loss', direction: 'lower', cadence: 'step', steps, epochs, wallTimes: null, values };
  };
  // Deterministic "noise" from a sine hash: no Math.random.
  const noise = (i: number) => Math.sin(i * 12.9898) * 0.5;
  return {
    name: 'llm-pretrain-1M',
    format: 'jsonl',
    notes: [],
    series: [
      make('loss', 'train', trainN, 1, (s, i) => 2.5 / (1 + s / 20_000) + 0.15 + 0.03 * noise(i)),
      make('loss', 'val', valN, evalEvery, (s) => (s < 500_000 ? 2.6 / (1 + s / 20_000) + 0.2 : 2.6 / 26 + 0.2 + (s - 500_000) / 2_000_000)),
    ],
  };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function startBenchBot(fake: RemoteFakeDiscord, cacheSize: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-bench-bot-'));
  const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'bench.db'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token });
  const db = openDatabase(config.dbPath);
  const store = new SqliteRunStore(db);
  const alerts = new AlertService(new SqliteAlertStore(db));
  const reporter = new RunReporter(store, { cacheSize });
  const log = createLogger({ level: 'warn', stream: 'stderr', pretty: false });
  // restRetries as in production (one retry of a failed request).
  const bot = await startBot({ config, log, store, alerts, reporter, token: fake.token, restRetries: 1 });
  const bigLog = bigRunLog();
  const [saved] = await store.saveRuns([{ log: bigLog, source: { format: bigLog.format, fileName: 'big.jsonl', contentHash: 'bench-1M' } }]);
  return {
    store,
    run: saved.run,
    async stop() {
      await bot.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sequentialCalls(fake: RemoteFakeDiscord, runId: string, calls: number) {
  const out = [];
  for (let k = 0; k < calls; k++) {
    const ids = await fake.slashMany(1, 'diagnose', [{ name: 'run-id', type: 3, value: runId }]);
    const [t] = await fake.timings(ids, 60_000);
    if (!t.embeds || !t.attachments) throw new Error('reply without embed or chart');
    out.push(t);
  }
  return out;
}

export default async function bench(): Promise<Record<string, unknown>> {
  const loadBefore = os.loadavg()[0];
  const fake = await RemoteFakeDiscord.start();
  try {
    const uncachedBot = await startBenchBot(fake, 0);
    const uncached = await sequentialCalls(fake, uncachedBot.run.id, 20);
    // Where an uncached call spends its time, measured in-process on the same run (median of 5).
    const parts = { load: [] as number[], diagnose: [] as number[], chart: [] as number[] };
    for (let k = 0; k < 5; k++) {
      let t = performance.now();
      const run = (await uncachedBot.store.getRun(uncachedBot.run.id))!;
      parts.load.push(performance.now() - t);
      t = performance.now();
      const verdict = diagnoseStored(run);
      parts.diagnose.push(performance.now() - t);
      t = performance.now();
      renderRunChart(run, verdict);
      parts.chart.push(performance.now() - t);
    }
    await uncachedBot.stop();

    const bot = await startBenchBot(fake, 32);
    try {
      const cached = await sequentialCalls(fake, bot.run.id, 20);
      // 100 users at once on the same big run, each a separate interaction.
      const started = Date.now();
      const ids = await fake.slashMany(100, 'diagnose', [{ name: 'run-id', type: 3, value: bot.run.id }]);
      const conc = await fake.timings(ids, 60_000);
      const wall = Date.now() - started;
      const defers = conc.map((t) => t.deferMs);
      const answers = conc.map((t) => t.answerMs);
      const u = uncached.map((t) => t.answerMs);
      const c = cached.map((t) => t.answerMs);
      return {
        run_points: bot.run.points,
        cpus: os.cpus().length,
        load_average_1m_at_start: Number(loadBefore.toFixed(1)),
        load_average_1m_at_end: Number(os.loadavg()[0].toFixed(1)),
        uncached_parts_median_ms: {
          load_from_sqlite: Math.round(pct(parts.load, 50)),
          diagnose: Math.round(pct(parts.diagnose, 50)),
          chart_png: Math.round(pct(parts.chart, 50)),
        },
        diagnose_1M_uncached_p50_ms: pct(u, 50),
        diagnose_1M_uncached_p95_ms: pct(u, 95),
        diagnose_1M_uncached_max_ms: Math.max(...u),
        diagnose_1M_uncached_defer_max_ms: Math.max(...uncached.map((t) => t.deferMs)),
        diagnose_1M_cached_first_ms: c[0],
        diagnose_1M_cached_p50_ms: pct(c, 50),
        diagnose_1M_cached_p95_ms: pct(c, 95),
        target_p95_ms: 1000,
        concurrent_calls: conc.length,
        concurrent_defer_p50_ms: pct(defers, 50),
        concurrent_defer_p95_ms: pct(defers, 95),
        concurrent_defer_max_ms: Math.max(...defers),
        concurrent_answer_p50_ms: pct(answers, 50),
        concurrent_answer_p95_ms: pct(answers, 95),
        concurrent_answer_max_ms: Math.max(...answers),
        concurrent_wall_ms: wall,
        concurrent_all_deferred_within_3s: defers.every((d) => d <= 3000),
        concurrent_all_answered_within_10s: answers.every((a) => a <= 10_000),
      };
    } finally {
      await bot.stop();
    }
  } finally {
    await fake.stop();
  }
}
