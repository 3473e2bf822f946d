/**
 * Issue 17, point 1, through the real discord.js client and the fake Discord, wired as src/main.ts wires the service:
 * charts rasterised in a child process. A run holding -1e308 (which made resvg abort the whole process: bot, API and
 * scheduler) is drawn by /diagnose, /compare and /digest now; and a rasteriser that does abort costs one chart,
 * answered with the checklist and a sentence, while the next chart is drawn by a new child.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteRunStore } from '../../src/store/sqlite-run-store.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { RunReporter } from '../../src/app/run-report.ts';
import { RasteriserProcess } from '../../src/app/rasteriser-process.ts';
import { startBot, type RunningBot } from '../../src/bot/bot.ts';
import { SqliteDigestStore } from '../../src/store/sqlite-digest-store.ts';
import { SqliteJobStore } from '../../src/store/sqlite-job-store.ts';
import { createDigests } from '../../src/schedule/start-digests.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import type { RunSummary } from '../../src/domain/run.ts';
import { FakeDiscord } from '../support/fake-discord.ts';
import { kerasCsv, kerasHistoryJson } from '../support/training-logs.ts';
import { pngSize } from '../charts/png.ts';

const ABORTING_CHILD = fileURLToPath(new URL('../support/aborting-rasteriser-child.ts', import.meta.url));

describe('charts in the bot never take the process down', { timeout: 120_000 }, () => {
  let fake: FakeDiscord;
  let db: Database;
  let bot: RunningBot;
  let rasteriser: RasteriserProcess;
  let hostile: RunSummary;
  let healthy: RunSummary;
  let seed: (name: string, json: string) => Promise<RunSummary>;
  const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-hostile-bot-'));

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    const config = loadConfig({ RUNMEDIC_DB: path.join(dir, 'runmedic.db'), DISCORD_API_BASE: fake.apiBase, DISCORD_TOKEN: fake.token });
    db = openDatabase(config.dbPath);
    const store = new SqliteRunStore(db);
    const alerts = new AlertService(new SqliteAlertStore(db));
    rasteriser = new RasteriserProcess({ childModule: ABORTING_CHILD });
    const reporter = new RunReporter(store, { rasterise: rasteriser.rasterise, cacheSize: 0 });
    const wiring = createDigests({ stores: { digests: new SqliteDigestStore(db), jobs: new SqliteJobStore(db) }, runs: store, alerts, reporter, log: silentLogger() });
    bot = await startBot({ config, log: silentLogger(), store, alerts, reporter, digests: wiring.digests, token: fake.token, restRetries: 0, readyTimeoutMs: 5000 });
    await alerts.configure({ guildId: fake.guildId, channelId: fake.alerts.id, roleId: fake.oncallRole.id, by: null });

    seed = async (name: string, json: string) => {
      const [log] = kerasHistoryParser.parse(json, `${name}.json`);
      const [saved] = await store.saveRuns([{ log: { ...log!, name }, source: { format: log!.format, fileName: `${name}.json`, contentHash: `hostile:${name}` } }]);
      return saved!.run;
    };
    const losses = Array.from({ length: 30 }, (_, k) => (k === 0 ? 11700.3 : k === 15 ? -1e308 : 1 / (k + 1)));
    hostile = await seed('minus-1e308', JSON.stringify({ loss: losses, val_loss: losses.map((v, k) => (k === 20 ? 1e308 : v * 1.1)) }));
    healthy = await seed('healthy-mlp', kerasHistoryJson({ epochs: 25 }));
  });

  afterAll(async () => {
    await bot?.stop();
    await rasteriser?.close();
    db?.close();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/diagnose of a run holding -1e308 answers with the checklist and a chart', async () => {
    const answer = await fake.answerOf(fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: hostile.id }] }), 30_000);
    expect((answer.embeds[0] as { title: string }).title).toContain('minus-1e308');
    expect(answer.attachments.map((a) => a.filename)).toEqual(['chart.png']);
    expect(pngSize(answer.attachments[0]!.bytes)).toEqual({ width: 800, height: 450 });
  });

  it('/compare with it draws the overlay, and /digest now the grid', async () => {
    const compared = await fake.answerOf(fake.slash({ name: 'compare', options: [{ name: 'a', type: 3, value: hostile.id }, { name: 'b', type: 3, value: healthy.id }] }), 30_000);
    expect(compared.attachments.map((a) => a.filename)).toEqual(['compare.png']);
    const digest = await fake.answerOf(fake.slash({ name: 'digest', options: [{ name: 'now', type: 1, options: [{ name: 'window', type: 3, value: '24h' }] }] }), 30_000);
    expect(digest.attachments.map((a) => a.filename)).toContain('digest.png');
  });

  it('an uploaded log holding -1e308 is answered with its chart, and its alert carries the chart too', async () => {
    const lines = kerasCsv({ epochs: 30, overfitFrom: 10 }).trim().split('\n');
    const cells = lines[6]!.split(',');
    cells[2] = '-1e308'; // the training loss of epoch 5
    lines[6] = cells.join(',');
    const att = fake.hostAttachment(new TextEncoder().encode(`${lines.join('\n')}\n`), 'overfit-1e308.csv', 'text/csv');
    const answer = await fake.answerOf(fake.slash({ name: 'ingest', options: [{ name: 'file', type: 11, value: att.id }], attachments: [att] }), 30_000);
    expect(answer.attachments.map((a) => a.filename)).toEqual(['chart.png']);
    const alert = await fake.waitFor(() => fake.channelMessages(fake.alerts.id).find((m) => m.attachments.length > 0), 15_000, 'the alert with its chart');
    expect(pngSize(alert.attachments[0]!.bytes)).toEqual({ width: 800, height: 450 });
  });

  it('a rasteriser that aborts costs that one chart: the checklist comes with a sentence, and the next chart is drawn', async () => {
    // Seeded only now: the digest grid above would have drawn its name too.
    const doomed = await seed('abort-here', kerasHistoryJson({ epochs: 12 }));
    const startsBefore = rasteriser.starts;
    const answer = await fake.answerOf(fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: doomed.id }] }), 30_000);
    expect((answer.embeds[0] as { title: string; fields: unknown[] }).title).toContain('abort-here');
    expect((answer.embeds[0] as { fields: unknown[] }).fields.length).toBeGreaterThan(0);
    expect((answer.embeds[0] as { image?: unknown }).image).toBeUndefined();
    expect(answer.attachments).toEqual([]);
    expect(answer.content).toMatch(/^No chart this time: it could not be drawn \(the drawing process stopped \(SIGABRT\) on this chart\); the checklist does not depend on it\.$/m);

    const next = await fake.answerOf(fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: healthy.id }] }), 30_000);
    expect(next.attachments.map((a) => a.filename)).toEqual(['chart.png']);
    expect(rasteriser.starts).toBe(startsBefore + 1);
  });
});
