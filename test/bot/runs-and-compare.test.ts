/** /runs and /compare (and the Compare button) end to end. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotHarness } from '../support/bot-harness.ts';
import { kerasHistoryJson } from '../support/training-logs.ts';
import type { RunSummary } from '../../src/domain/run.ts';

describe('/runs and /compare', () => {
  let h: BotHarness;
  let early: RunSummary;
  let late: RunSummary;
  let healthy: RunSummary;
  beforeAll(async () => {
    h = await BotHarness.start();
    early = await h.seedRun(kerasHistoryJson({ epochs: 20, overfitFrom: 8 }), 'bert-ft');
    late = await h.seedRun(kerasHistoryJson({ epochs: 30, overfitFrom: 8 }), 'bert-ft');
    healthy = await h.seedRun(kerasHistoryJson({ epochs: 25 }), 'cnn-baseline');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('/runs lists the latest runs newest first with status emoji, format, epochs and the worst finding', async () => {
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'runs', options: [{ name: 'limit', type: 4, value: 2 }] }), 10_000);
    const lines: string[] = (answer.embeds[0] as any).description.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('cnn-baseline');
    expect(lines[0]).toContain(healthy.id);
    expect(lines[1]).toMatch(/^❌ \*\*bert-ft\*\* · keras_history · 30 ep — \*\*Overfitting\*\*/);
    expect(lines[1]).toContain(late.id);
  });

  it('/compare shows the best value, its epoch and the final gap of both runs', async () => {
    const it = h.fake.slash({ name: 'compare', options: [{ name: 'a', type: 3, value: early.id }, { name: 'b', type: 3, value: healthy.id }] });
    const answer = await h.fake.answerOf(it, 10_000);
    expect(it.callbacks[0].type).toBe(5);
    const d: string = (answer.embeds[0] as any).description;
    expect(d).toMatch(/best val_loss/);
    expect(d).toMatch(/epoch of best\s+epoch 8\s+epoch 24/);
    expect(d).toMatch(/final gap \(val − train\)/);
    expect(d).toContain('**B** reaches the better best val_loss');
    expect((answer.embeds[0] as any).image.url).toBe('attachment://compare.png');
    expect(answer.attachments[0].filename).toBe('compare.png');
    expect([...answer.attachments[0].bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it('/compare does not crown a run that broke (its loss ended as NaN) for its best value before it broke', async () => {
    // Better than the healthy run until epoch 4, then NaN: what a rerun with a too-high learning rate can do.
    const broken = await h.seedRun('{"loss": [1.0, 0.4, 0.05, 0.01, NaN, NaN], "val_loss": [1.1, 0.5, 0.06, 0.02, NaN, NaN]}', 'lr-too-high');
    const answer = await h.fake.answerOf(h.fake.slash({ name: 'compare', options: [{ name: 'a', type: 3, value: healthy.id }, { name: 'b', type: 3, value: broken.id }] }), 10_000);
    const d: string = (answer.embeds[0] as any).description;
    expect(d).toMatch(/best val_loss\s+\S+\s+0\.02\b/);
    expect(d).toContain('**B** broke: its loss ended as NaN. **A** is the run that trained to the end.');
    expect(d).not.toContain('reaches the better best');
  });

  it('the Compare button on /diagnose compares with the previous upload', async () => {
    const diag = await h.fake.answerOf(h.fake.slash({ name: 'diagnose', options: [{ name: 'run-id', type: 3, value: late.id }] }), 10_000);
    const button = h.fake.buttonsOf(diag).find((b) => b.label === 'Compare with previous run')!;
    const answer = await h.fake.answerOf(h.fake.clickButton({ messageId: diag.id, customId: button.custom_id! }), 10_000);
    expect((answer.embeds[0] as any).description).toContain(`A = \`${early.id}\` · B = \`${late.id}\``);
  });

  it('autocompletes both run options', async () => {
    // 'cnn-b', not 'cnn': run ids are r_ + ten random base32 letters, and one (r_zwkwcnnc2o) once matched 'cnn' too.
    const ac = h.fake.autocomplete({ name: 'compare', options: [{ name: 'a', type: 3, value: 'x' }, { name: 'b', type: 3, value: 'cnn-b', focused: true }] });
    await h.fake.waitFor(() => ac.answeredAt, 3000, 'autocomplete');
    expect(ac.callbacks[0].data.choices.map((c: any) => c.value)).toEqual([healthy.id]);
  });
});
