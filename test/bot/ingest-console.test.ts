/**
 * /ingest of console output saved as .txt/.log (issue 15.2, "/ingest accepts the same .txt/.log console outputs"),
 * through the real discord.js client against the fake Discord: the stored run has the series and values the text
 * printed, and the reply says how the text was read (the reader's notes) beside the checklist and chart.
 *
 * The values are taken from the text independently of the reader, by a hand-written pattern over its lines: a
 * captured fixture (test/fixtures/console/) and a shared real log (read in place from ../shared/console-logs, skipped
 * with a notice when absent).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import type { FakeInteraction } from '../support/fake-discord.ts';
import { REPO_ROOT } from '../support/real-logs.ts';
import { CONSOLE_LOGS_DIR } from '../support/console-logs.ts';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Run } from '../../src/domain/run.ts';

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'console', name));

describe('/ingest of console output (.txt/.log)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  function ingest(bytes: Uint8Array, filename: string, name?: string): FakeInteraction {
    const att = h.fake.hostAttachment(bytes, filename, 'text/plain; charset=utf-8');
    return h.fake.slash({
      name: 'ingest',
      options: [{ name: 'file', type: 11, value: att.id }, ...(name ? [{ name: 'name', type: 3, value: name }] : [])],
      attachments: [att],
    });
  }

  const seriesOf = (run: Run) => Object.fromEntries(run.series.map((s) => [s.name, { key: s.key, split: s.split, cadence: s.cadence, steps: [...s.steps], values: [...s.values] }]));

  it('says it takes console output', async () => {
    const { default: ingestCommand } = await import('../../commands/ingest.ts');
    const json = ingestCommand.data.toJSON() as RESTPostAPIChatInputApplicationCommandsJSONBody;
    expect(json.description).toMatch(/console output/);
    expect(json.description.length).toBeLessThanOrEqual(100);
    const file = json.options!.find((o) => o.name === 'file')!;
    expect(file.description).toMatch(/\.txt/);
    expect(file.description.length).toBeLessThanOrEqual(100);
  });

  it('a PyTorch loop\'s printed epochs as train.txt: the run stores the printed values, the reply says how it was read', async () => {
    // The truth by hand: `Epoch 3/5 - train loss: x - val loss: y - val acc: z%`.
    const printed = [...fixture('torch_print.log').toString().matchAll(/^Epoch \d+\/5 - train loss: ([\d.]+) - val loss: ([\d.]+) - val acc: ([\d.]+)%$/gm)];
    expect(printed).toHaveLength(5);
    const it = ingest(fixture('torch_print.log'), 'train.txt', 'mlp-print');
    const answer = await h.fake.answerOf(it, 15_000);
    expect(it.callbacks[0]!.type).toBe(5);
    expect(answer.flags & 64).toBe(0);

    const summary = (await h.store.listRuns()).find((r) => r.name === 'mlp-print')!;
    expect(summary.source.format).toBe('console_text');
    expect(summary.source.fileName).toBe('train.txt');
    expect(summary.points).toBe(15);
    const run = (await h.store.getRun(summary.id))!;
    const got = seriesOf(run);
    expect(Object.keys(got).sort()).toEqual(['train_loss', 'val_acc', 'val_loss']);
    expect(got.train_loss).toMatchObject({ key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3, 4, 5] });
    expect(got.val_loss).toMatchObject({ key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2, 3, 4, 5] });
    expect(got.val_acc).toMatchObject({ key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2, 3, 4, 5] });
    expect(got.train_loss!.values).toEqual(printed.map((m) => Number(m[1])));
    expect(got.val_loss!.values).toEqual(printed.map((m) => Number(m[2])));
    got.val_acc!.values.forEach((v, k) => expect(v).toBeCloseTo(Number(printed[k]![3]) / 100, 12));

    // The reply: the stored run, then the reader's notes (what it read and the names it inferred), the checklist, the chart.
    const lines = answer.content.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\S+ \\*\\*mlp-print\\*\\* stored as \`${run.id}\` \\(15 points\\)$`));
    expect(lines).toContain('-# read 5 of 6 lines with 1 template: `Epoch <n>/<n> - train loss: <v> - val loss: <v> - val acc: <v>` (5)');
    expect(lines).toContain('-# names read as: `train loss` → train_loss (loss, train), `val loss` → val_loss (loss, val), `val acc` → val_acc (accuracy, val)');
    expect((answer.embeds[0] as any).title).toContain('mlp-print');
    expect((answer.embeds[0] as any).footer.text).toContain(run.id);
    expect(answer.attachments[0]?.filename).toBe('chart.png');
    expect([...answer.attachments[0]!.bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it.skipIf(!CONSOLE_LOGS_DIR)('a real pasted log with progress bars (kuangliu/pytorch-cifar) as cifar.log: train and test bars read per epoch', async () => {
    const bytes = readFileSync(path.join(CONSOLE_LOGS_DIR ?? '', '014_kuangliu_progress_bar.log'));
    // The truth by hand: `Epoch: N`, then a 391-batch training bar and a 100-batch test bar, each ending in `Loss: x | Acc: y%`.
    const want = { loss: [] as number[], acc: [] as number[], val_loss: [] as number[], val_acc: [] as number[] };
    for (const m of bytes.toString('utf8').matchAll(/ (391|100)\/\1 .*?\| Loss: ([\d.]+) \| Acc: ([\d.]+)%/g)) {
      const pre = m[1] === '391' ? '' : 'val_';
      want[`${pre}loss` as 'loss'].push(Number(m[2]));
      want[`${pre}acc` as 'acc'].push(Number(m[3]) / 100);
    }
    expect(want.loss).toHaveLength(100);
    expect(want.val_acc).toHaveLength(100);

    const answer = await h.fake.answerOf(ingest(bytes, 'cifar.log'), 15_000);
    const summary = (await h.store.listRuns()).find((r) => r.name === 'cifar')!;
    expect(summary.source.format).toBe('console_text');
    expect(summary.points).toBe(400);
    const got = seriesOf((await h.store.getRun(summary.id))!);
    const epochs = Array.from({ length: 100 }, (_, k) => k);
    expect(Object.fromEntries(Object.entries(got).map(([n, s]) => [n, [s.key, s.split, s.cadence]]))).toEqual({
      loss: ['loss', 'train', 'epoch'],
      acc: ['accuracy', 'train', 'epoch'],
      val_loss: ['loss', 'val', 'epoch'],
      val_acc: ['accuracy', 'val', 'epoch'],
    });
    for (const [n, values] of Object.entries(want)) {
      expect(got[n]!.steps, n).toEqual(epochs);
      got[n]!.values.forEach((v, k) => expect(v, `${n}[${k}]`).toBeCloseTo(values[k]!, 12));
    }
    expect(answer.content.split('\n')[0]).toMatch(new RegExp(`\\*\\*cifar\\*\\* stored as \`${summary.id}\` \\(400 points\\)$`));
    expect(answer.content).toMatch(/^-# read 200 of 442 lines with 1 template: /m);
    expect((answer.embeds[0] as any).title).toContain('cifar');
    expect(answer.attachments[0]?.filename).toBe('chart.png');
  });
});
