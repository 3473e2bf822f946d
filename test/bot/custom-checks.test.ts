/**
 * /sanity and /lrfind through the real discord.js client against the fake Discord, with a real Keras 3 to_json()
 * model and an Iris CSV uploaded: the checks run in a child process and answer with their numbers (and the range
 * test's chart); a member without the training role is refused before anything is downloaded. A TensorFlow.js
 * model.json with two inputs and two outputs is checked on the data as its training job maps it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BotHarness } from '../support/bot-harness.ts';
import type { FakeInteraction } from '../support/fake-discord.ts';
import { loadIris } from '../../src/jobs/dataset.ts';
import { irisCsv as irisWithCollectorCsv } from '../support/custom-job-files.ts';

const model = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', 'keras3-iris-mlp.json'));
const broken = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', 'keras3-one-unit-softmax.json'));
const twoInTwoOut = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', 'tfjs-two-inputs-two-outputs.json'));

function irisCsv(): Uint8Array {
  const iris = loadIris();
  const cols = [0, 1, 2, 3].map((j) => Array.from({ length: 150 }, (_, i) => iris.x[i * 4 + j]!));
  const mean = cols.map((c) => c.reduce((a, b) => a + b, 0) / 150);
  const sd = cols.map((c, j) => Math.sqrt(c.reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / 150));
  const rows = Array.from({ length: 150 }, (_, i) => [0, 1, 2, 3].map((j) => ((cols[j]![i]! - mean[j]!) / sd[j]!).toFixed(4)).join(',') + `,${iris.classNames[iris.y[i]!]}`);
  return new TextEncoder().encode(['a,b,c,d,species', ...rows].join('\n'));
}

describe('/sanity and /lrfind', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  function run(name: string, modelBytes: Uint8Array, extra: Array<{ name: string; type: number; value: string | number }> = [], user = h.fake.admin, data = irisCsv()): FakeInteraction {
    const m = h.fake.hostAttachment(modelBytes, 'model.json', 'application/json');
    const d = h.fake.hostAttachment(data, 'iris.csv', 'text/csv');
    return h.fake.slash({ name, user, options: [{ name: 'model', type: 11, value: m.id }, { name: 'data', type: 11, value: d.id }, ...extra], attachments: [m, d] });
  }

  it('/sanity: a one-unit softmax trained with mse fails the overfit and the input checks, with the numbers', async () => {
    const answer = await h.fake.answerOf(run('sanity', broken, [{ name: 'loss', type: 3, value: 'mse' }]), 19_000);
    const e = answer.embeds[0] as any;
    expect(e.title).toBe('❌ Sanity: model.json on iris.csv');
    expect(e.description).toMatch(/^\*\*FAIL\*\* · Keras to_json\(\) · mean squared error against the class index · one batch of 32/);
    expect(e.fields.map((f: { name: string }) => f.name)).toEqual(['❔ Loss at initialisation', '❌ Overfit one batch of 32', '❌ Loss depends on the inputs']);
    expect(e.fields[1].value).toMatch(/^loss [\d.]+ → [\d.]+ after 500 steps, not under/);
  }, 20_000);

  it('/sanity: a TensorFlow.js model.json with two inputs and two outputs passes, the answer naming its inputs, its outputs and the judged one', async () => {
    const answer = await h.fake.answerOf(run('sanity', twoInTwoOut, [], h.fake.admin, irisWithCollectorCsv({ collector: true })), 19_000);
    const e = answer.embeds[0] as any;
    expect(e.title).toBe('✅ Sanity: model.json on iris.csv');
    expect(e.description).toContain("weighted sum of the outputs' losses: 'species' categorical_crossentropy (judged) + 'petal_area' mean_absolute_error · one batch of 32");
    expect(e.description).toContain("· inputs: 'measures' (4,), 'site' (2,)");
    expect(e.description).toContain("· outputs: 'species' categorical_crossentropy on the class labels (judged); 'petal_area' mean_absolute_error on the class index");
    // Iris in cm, not standardised: the fresh classifier starts a little off chance (a warning at most).
    expect(e.fields.map((f: { name: string }) => f.name)).toEqual([expect.stringMatching(/^(✅|⚠️) Loss at initialisation$/), '✅ Overfit one batch of 32', '✅ Loss depends on the inputs']);
    expect(e.fields[0].value).toMatch(/^the judged output 'species': [\d.]+ against ln 3 = 1\.1 for 3 classes/);
    expect(e.fields[2].value).toMatch(/with every input zeroed \('measures', 'site'\)/);
  }, 20_000);

  it('/lrfind: the suggested rate, a rate of 9 called too high, and the loss-vs-rate chart', async () => {
    // 9, near the top of the 1e-7…10 sweep: where the loss turns varies a little with the backend's threaded sums, and
    // at 5 a native run once found its minimum above it (⚠️ risky, not ❌ past it).
    const answer = await h.fake.answerOf(run('lrfind', model, [{ name: 'lr', type: 10, value: 9 }]), 19_000);
    const e = answer.embeds[0] as any;
    expect(e.title).toBe('❌ Learning-rate range test: model.json on iris.csv');
    expect(e.description).toMatch(/\*\*Suggested learning rate: 0\.\d+\*\*/);
    expect(e.description).toMatch(/❌ your rate 9 is past the loss's minimum/);
    expect(e.image.url).toBe('attachment://lrfind.png');
    expect([...answer.attachments[0].bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  }, 20_000);

  it('a member without the training role is refused privately', async () => {
    const answer = await h.fake.answerOf(run('sanity', model, [], h.fake.member));
    expect(answer.flags & 64).toBe(64);
    expect(answer.content).toContain('Training jobs need Manage Server');
  });
});
