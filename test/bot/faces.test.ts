/**
 * What people read in Discord (issue 16), through the real discord.js client and the fake Discord: every item led by
 * its plain name, findings as sentences (no "key value ·" runs), the evidence behind a Details button, one numbering of
 * a finding's epoch in the title, the JSON, the chart's mark, the alert and the digest; no Open thread inside a
 * thread; same-name runs told apart in /compare; digest times in the schedule's zone without empty counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { maybeWriteRecordedPage } from '../support/discord-html.ts';
import { kerasCsv } from '../support/training-logs.ts';
import type { FakeInteraction, FakeMessage } from '../support/fake-discord.ts';
import type { RunSummary } from '../../src/domain/run.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { digestMessage } from '../../src/bot/presenters/digest-message.ts';
import type { Digest } from '../../src/app/build-digest.ts';

const enc = (s: string) => new TextEncoder().encode(s);
/** The old evidence dump: "onset epoch 40 · val best 0.4126 · …". */
const KEY_VALUE_RUN = /\b[a-z][a-z ]* -?[\d.]+(e-?\d+)? · [a-z][a-z ]* -?[\d.]+/;
const text = (m: FakeMessage) => [m.content, JSON.stringify(m.embeds)].join('\n');

describe('what people read in Discord', () => {
  let h: BotHarness;
  let overfit: RunSummary;
  let verdict: Verdict;
  beforeAll(async () => {
    h = await BotHarness.start();
    await h.alerts.configure({ guildId: h.fake.guildId, channelId: h.fake.alerts.id, roleId: h.fake.oncallRole.id, by: null });
  });
  afterAll(async () => {
    // RUNMEDIC_FACES_HTML=dir writes what was posted as a page to look at (test/support/discord-html.ts).
    if (h) await maybeWriteRecordedPage(h.fake, 'faces');
    await h?.stop();
  });

  function ingest(csv: string, filename: string, name: string): FakeInteraction {
    const att = h.fake.hostAttachment(enc(csv), filename, 'text/csv');
    return h.fake.slash({ name: 'ingest', options: [{ name: 'file', type: 11, value: att.id }, { name: 'name', type: 3, value: name }], attachments: [att] });
  }

  it('/diagnose names each problem, states it as a sentence, folds what it explains, and keeps the evidence behind Details', async () => {
    // 40 epochs, the turn at 10: a stop that saves the share early_stopping_missing's fitted bar asks, so it folds under overfitting.
    await h.fake.answerOf(ingest(kerasCsv({ epochs: 40, overfitFrom: 10 }), 'resnet50.csv', 'resnet50'), 10_000);
    [overfit] = await h.store.listRuns();
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: overfit.id }] }), 10_000);
    const embed = answer.embeds[0] as any;
    const first = embed.fields[0];
    expect(first.name).toBe('❌ Overfitting');
    expect(first.value).toMatch(/^val_loss bottomed at [\d.]+ at epoch 10 and ended at/);
    expect(first.value).toContain('↳ also explains what looks like: No early stopping, Generalization gap');
    expect(first.value).toContain('**Fix:**');
    // Passed items: one line of names, and the explained ones are not passes of their own.
    const passed = embed.fields.find((f: any) => f.name.startsWith('✅ Passed'));
    expect(passed.value).toMatch(/^No sign of: [A-Z][a-z]/);
    expect(passed.value).not.toMatch(/No early stopping|Generalization gap|_/);
    expect(text(answer)).not.toMatch(KEY_VALUE_RUN);
    expect(text(answer)).not.toMatch(/onset|valBest|val best/i);

    const buttons = h.fake.buttonsOf(answer);
    expect(buttons.map((b) => b.label)).toEqual(['Details', 'Open thread', 'Mute alerts for this run']);
    const details = await h.fake.answerOf(h.fake.clickButton({ messageId: answer.id, customId: buttons[0]!.custom_id! }), 10_000);
    expect(details.flags & 64).toBe(64);
    const detailsEmbed = details.embeds[0] as any;
    expect(detailsEmbed.fields[0].name).toBe('❌ Overfitting · `overfitting`');
    expect(detailsEmbed.fields[0].value).toMatch(/onset epoch: 10\n/);
    expect(detailsEmbed.fields[0].value).toMatch(/val best at: 10\n/);
    // The findings folded under it keep the mark they had: a 60-point gap is no green tick, even explained.
    expect(detailsEmbed.fields.slice(1).map((f: any) => f.name)).toEqual(['↳ ⚠️ No early stopping · `early_stopping_missing`', '↳ ❌ Generalization gap · `generalization_gap`']);
    expect(details.attachments[0]!.filename).toBe(`${overfit.id}-verdict.json`);
    verdict = JSON.parse(Buffer.from(details.attachments[0]!.bytes).toString('utf8')) as Verdict;
    expect(verdict.items).toHaveLength(32);
  });

  it("one numbering: the finding's epoch is the same in the title, the JSON evidence, the chart's mark, the alert and the digest", async () => {
    const item = verdict.items.find((i) => i.id === 'overfitting')!;
    const epoch = Number(/at epoch (\d+)/.exec(item.title)![1]);
    expect(item.evidence).toMatchObject({ onsetEpoch: epoch, valBestAt: epoch });
    const point = item.marks.find((m) => m.kind === 'point')!;
    expect(point.label).toBe(`best val_loss (epoch ${epoch})`);
    // The dot is drawn at the step of that epoch in the run's own val_loss series.
    const run = (await h.store.getRun(overfit.id))!;
    const val = run.series.find((s) => s.name === 'val_loss')!;
    expect(val.epochs![Array.from(val.steps).indexOf(point.step)]).toBe(epoch);
    expect(item.fix).toContain(`epoch-${epoch} model`);

    const [alert] = await h.fake.waitFor(() => (h.fake.channelMessages(h.fake.alerts.id).length ? h.fake.channelMessages(h.fake.alerts.id) : null), 10_000, 'the alert');
    expect(alert!.content).toBe(`<@&${h.fake.oncallRole.id}> 🚨 **resnet50**: Overfitting`);
    expect(text(alert!)).toContain(`**Overfitting**: val_loss bottomed at 0.603 at epoch ${epoch}`);
    expect(text(alert!)).toContain('↳ also explains what looks like: No early stopping, Generalization gap');
    expect(text(alert!)).not.toMatch(KEY_VALUE_RUN);
    expect(h.fake.buttonsOf(alert!).map((b) => b.label)).toEqual(['Details', 'Mute alerts for this run']);

    // The digest of the same verdict (the scheduled post is tested in digest.test.ts).
    const { buildDigest } = await import('../../src/app/build-digest.ts');
    const d = buildDigest({ runs: [{ run: overfit, verdict }], window: { from: overfit.createdAt - 60_000, to: Date.now() + 60_000 }, previous: null, queuedJobs: 0, grid: false });
    const m = digestMessage(d);
    expect(m.embeds[1]!.description).toContain(`**resnet50** · Overfitting: val\\_loss bottomed at 0.603 at epoch ${epoch}`);
    expect(m.embeds[0]!.description).not.toMatch(/ 0 [a-z]+/);
  });

  it('/diagnose inside a run’s thread offers no Open thread', async () => {
    const thread = await h.fake.waitFor(() => h.fake.threads().find((t) => t.parent_id === h.fake.alerts.id), 5000, 'the alert thread');
    const inThread = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', channelId: thread.id }), 10_000);
    expect(h.fake.buttonsOf(inThread).map((b) => b.label)).toEqual(['Details', 'Mute alerts for this run']);
    const outside = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: overfit.id }] }), 10_000);
    expect(h.fake.buttonsOf(outside).map((b) => b.label)).toContain('Open thread');
  });

  it('/runs names the worst finding', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'runs' }), 10_000);
    expect((answer.embeds[0] as any).description).toMatch(/\*\*resnet50\*\* · keras_csv · 40 ep — \*\*Overfitting\*\*/);
  });

  it('/compare of one run uploaded twice labels A and B by what differs, and smooths both alike', async () => {
    // Validation loss that jitters: judged alone, the 100-epoch upload is smooth and the 140-epoch one noisy.
    const history = (n: number) => {
      const e = Array.from({ length: n }, (_, k) => k);
      const val = e.map((k) => 2.1 / (1 + 0.28 * Math.min(k, 40)) + 0.05 + (k > 40 ? 0.01 * (k - 40) : 0) + 0.06 * Math.sin(k * 2.3));
      return JSON.stringify({ loss: e.map((k) => 2 / (1 + 0.3 * k) + 0.02), val_loss: val });
    };
    const { isNoisy } = await import('../../src/charts/smooth.ts');
    const valOf = (n: number) => JSON.parse(history(n)).val_loss as number[];
    expect([isNoisy(valOf(100)), isNoisy(valOf(140))]).toEqual([false, true]);
    const a = await h.seedRun(history(100), 'pathology-cnn');
    const b = await h.seedRun(history(140), 'pathology-cnn');
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'compare', options: [{ name: 'a', type: 3, value: a.id }, { name: 'b', type: 3, value: b.id }] }), 10_000);
    expect((answer.embeds[0] as any).title).toBe('📊 pathology-cnn: A (100 epochs) vs B (140 epochs)');
    expect(answer.attachments[0]!.filename).toBe('compare.png');
    expect((answer.embeds[0] as any).description).toContain("**B** continues **A**: the same val_loss over A's 100 epochs, then 40 more.");

    // The chart the reply drew: both lines smoothed the same way, so the 100 shared epochs are drawn identically.
    const { planCompareChart } = await import('../../src/charts/compare-chart.ts');
    const { compareLabels } = await import('../../src/app/compare-runs.ts');
    const [ra, rb] = [(await h.store.getRun(a.id))!, (await h.store.getRun(b.id))!];
    const labels = compareLabels(ra, rb);
    const plan = planCompareChart([
      { name: `A · ${labels.a}`, series: ra.series },
      { name: `B · ${labels.b}`, series: rb.series },
    ]);
    const [la, lb] = plan.lines;
    expect(la!.run).toBe('A · 100 epochs');
    expect([la!.prepared!.smoothed, lb!.prepared!.smoothed]).toEqual([true, true]);
    const shared = (l: typeof la) => Array.from(l!.prepared!.main.y).filter((_, k) => l!.prepared!.main.x[k]! < 99);
    const ya = shared(la);
    const yb = shared(lb);
    expect(ya.length).toBeGreaterThan(10);
    expect(yb.slice(0, ya.length)).toEqual(ya);
  });
});

describe('digest message times and counts', () => {
  const digest: Digest = {
    window: { from: Date.UTC(2026, 11, 6, 5, 21), to: Date.UTC(2026, 11, 7, 5, 21) },
    empty: false,
    counts: { failing: 1, stalled: 0, running: 0, warning: 0, healthy: 2, unknown: 0 },
    entries: [
      { runId: 'r_1', name: 'a', status: 'failing', threadId: null },
      { runId: 'r_2', name: 'b', status: 'healthy', threadId: null },
      { runId: 'r_3', name: 'c', status: 'healthy', threadId: null },
    ],
    findings: [{ runId: 'r_1', runName: 'a', threadId: null, id: 'nan_loss', status: 'fail', title: 'loss became NaN at epoch 7' }],
    changes: null,
    queuedJobs: 0,
    state: { entries: [] } as any,
    grid: null,
  };

  it("writes the window in the schedule's own zone and leaves out empty counts", () => {
    const m = digestMessage(digest, { timezone: 'Asia/Kathmandu', scheduleId: 'd_1' });
    expect(m.embeds[0]!.footer!.text).toBe('Sun 6 Dec 11:06 → Mon 7 Dec 11:06 Asia/Kathmandu · schedule d_1');
    expect(m.embeds[0]!.description).toContain('**3 runs**: ❌ 1 failing · ✅ 2 healthy\n');
    expect(m.embeds[0]!.description).not.toMatch(/0 stalled|0 running|0 warning/);
    expect(m.embeds[1]!.description).toContain('**a** · NaN loss: loss became NaN at epoch 7');
  });
});

describe('one numbering in the chart', () => {
  it("labels a NaN run with the log's epoch, as the nan_loss title does, not the point's fractional position", async () => {
    const { diagnose } = await import('../../src/diagnose/index.ts');
    const { renderRunChartSvg } = await import('../../src/charts/run-chart.ts');
    // Ten steps per epoch, epochs counted 1, 2, 3, 4 on every step (a job's log); NaN from step 17, inside epoch 2.
    const n = 40;
    const loss = {
      key: 'loss', split: 'train', name: 'loss', direction: 'lower', cadence: 'step', wallTimes: null,
      steps: Float64Array.from({ length: n }, (_, i) => i),
      epochs: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 10) + 1),
      values: Float64Array.from({ length: n }, (_, i) => (i >= 17 ? NaN : 2 - i * 0.05)),
    } as const;
    const run = { id: 'r_nan', name: 'nan-run', format: 'push', series: [loss], points: n, epochs: 4 } as any;
    const verdict = diagnose(run);
    const title = verdict.items.find((i) => i.id === 'nan_loss')!.title;
    expect(title).toBe('loss became NaN at epoch 2');
    const svg = renderRunChartSvg({ ...run, notes: [], meta: {}, source: { format: 'push', fileName: null, contentHash: 'x' }, createdAt: 0, updatedAt: 0, status: 'finished' }, verdict);
    expect(svg).toContain('train loss NaN from epoch 2 (23 points)');
  });
});
