/**
 * /datacheck through the real discord.js client against the fake Discord: an upload of digits with flipped labels
 * is answered with the checklist, the most suspicious labels and the contact sheet; a bad file gets a private error
 * naming it; a file over the limit is refused before download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { BotHarness } from '../support/bot-harness.ts';
import { npyBytes, npzBytes } from '../support/npy-files.ts';
import type { FakeInteraction } from '../support/fake-discord.ts';
import { loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';
import { createRng } from '../../src/jobs/rng.ts';

describe('/datacheck', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start({ env: { INGEST_MAX_BYTES: '2000000' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  function datacheck(bytes: Uint8Array, filename: string, label?: string): FakeInteraction {
    const att = h.fake.hostAttachment(bytes, filename);
    return h.fake.slash({
      name: 'datacheck',
      options: [{ name: 'data', type: 11, value: att.id }, ...(label ? [{ name: 'label', type: 3, value: label }] : [])],
      attachments: [att],
    });
  }

  it('digits with flipped labels: the failing items, the suspects with given and suggested labels, and the contact sheet', async () => {
    const m = takeBalanced(loadMnist(), 250);
    const rng = createRng(21);
    const flipped = new Set<number>();
    const y = Array.from(m.y, (v, i) => {
      if (rng.next() >= 0.1) return v;
      flipped.add(i);
      return (v + 1 + rng.int(9)) % 10;
    });
    const npz = npzBytes({ x: npyBytes(m.x, [250, 28, 28]), y: npyBytes(y, [250], '<i8') }, true);
    const it = datacheck(npz, 'digits.npz');
    const answer = await h.fake.answerOf(it, 19_000);
    expect(it.callbacks[0].type).toBe(5); // deferred: the check runs in a child process
    const embed = answer.embeds[0] as any;
    expect(embed.title).toBe('❌ Data check: digits.npz');
    expect(embed.description).toMatch(/^\*\*FAIL\*\* · 250 examples · 28×28×1 images · 10 classes\n1 failing/);
    const names = embed.fields.map((f: { name: string }) => f.name);
    expect(names[0]).toBe('❌ Label errors');
    expect(embed.fields[0].value).toMatch(/^\d+ examples \(\d+(\.\d)? %\) look mislabelled/);
    const suspects = embed.fields.find((f: { name: string }) => f.name.startsWith('🔎 Most suspicious labels'));
    const rows = suspects.value.split('\n').filter((l: string) => /^x\[\d+\]/.test(l));
    expect(rows.length).toBe(8);
    expect(rows.filter((l: string) => flipped.has(Number(/x\[(\d+)\]/.exec(l)![1]))).length).toBeGreaterThanOrEqual(6);
    expect(rows[0]).toMatch(/^x\[\d+\] +\d → \d {2}\(p 0\.\d\d → [01]\.\d\d\)$/);
    expect(embed.image.url).toBe('attachment://label-errors.png');
    expect(answer.attachments[0].filename).toBe('label-errors.png');
    expect([...answer.attachments[0].bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    if (process.env.RUNMEDIC_FACES_HTML) {
      writeFileSync(`${process.env.RUNMEDIC_FACES_HTML}/datacheck-embed.json`, JSON.stringify(embed, null, 2));
      writeFileSync(`${process.env.RUNMEDIC_FACES_HTML}/datacheck-sheet.png`, answer.attachments[0].bytes);
    }
    // Nothing is stored: a data check is not a run.
    expect(await h.store.listRuns()).toEqual([]);
  }, 20_000);

  it('a CSV with a named label column; a bad file gets a private error naming the file, the entry and what was expected', async () => {
    const csv = 'a,b,kind,target\n' + Array.from({ length: 60 }, (_, i) => `${i % 7},${(i * 3) % 11},${i % 2 ? 'x' : 'y'},${i % 3}`).join('\n');
    const ok = await h.fake.answerOf(datacheck(new TextEncoder().encode(csv), 'table.csv', 'kind'), 15_000);
    expect((ok.embeds[0] as any).title).toMatch(/Data check: table\.csv$/);
    expect((ok.embeds[0] as any).description).toContain('· label column: kind');
    expect(ok.attachments).toEqual([]);

    const bad = datacheck(npzBytes({ x: npyBytes([1, 2, 3, 4], [2, 2]), labels_typo: npyBytes([0, 1], [2]) }), 'arrays.npz');
    const msg = await h.fake.waitFor(() => bad.followUpIds.map((id) => h.fake.messages.get(id)).find(Boolean), 15_000, 'the error');
    expect(msg.flags & 64).toBe(64);
    expect(msg.content).toBe('Could not read arrays.npz: expected arrays named x and y (np.savez(f, x=…, y=…); also x_train/y_train with x_val/y_val), found x, labels_typo');
  }, 20_000);

  it('a file over INGEST_MAX_BYTES is refused privately before anything is downloaded', async () => {
    const answer = await h.fake.answerOf(datacheck(new Uint8Array(2_100_000), 'huge.npz'));
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('INGEST_MAX_BYTES');
  });
});
