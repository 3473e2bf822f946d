/** The push API's routes over a real socket: create, push, finish, dataset, verdict, auth and input errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.ts';
import { SeriesBuilder } from '../../src/ingest/series-builder.ts';

const G1 = '111111111111111111';
const G2 = '222222222222222222';

function epochBatch(from: number, to: number, loss: (e: number) => number) {
  const points = [];
  for (let e = from; e <= to; e++) points.push({ step: e, epoch: e, metrics: { loss: loss(e), val_loss: loss(e) * 1.1 } });
  return { points };
}

describe('push API', () => {
  let h: ApiHarness;
  let t1: string;
  let t2: string;
  beforeAll(async () => {
    h = await ApiHarness.start({ server: { maxBodyBytes: 64 * 1024 } });
    t1 = await h.token(G1);
    t2 = await h.token(G2);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('healthz needs no token', async () => {
    const r = await h.call('GET', '/healthz', null);
    expect(r).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('creates a run, takes batches, finishes it and serves the verdict contract', async () => {
    const c = await h.call('POST', '/api/v1/runs', t1, { name: 'resnet-live', config: { learningRate: 0.001, batchSize: 32 }, classes: 10, framework: 'keras' });
    expect(c.status).toBe(201);
    expect(c.body.id).toMatch(/^r_/);
    const id = c.body.id as string;
    const p = await h.call('POST', `/api/v1/runs/${id}/metrics`, t1, epochBatch(0, 9, (e) => 2 * Math.exp(-e / 4) + 0.1));
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ runId: id, accepted: 20, duplicates: 0, points: 20 });
    const stored = await h.runs.getRun(id);
    expect(stored?.status).toBe('running');
    expect(stored?.series.map((s) => [s.key, s.split, s.cadence, s.values.length])).toEqual([
      ['loss', 'train', 'epoch', 10],
      ['loss', 'val', 'epoch', 10],
    ]);
    const d = await h.call('POST', `/api/v1/runs/${id}/dataset`, t1, { classCounts: { cat: 900, dog: 100 }, trainSize: 1000, duplicates: 0 });
    expect(d.status).toBe(200);
    expect((await h.push.pushedRun(id))?.context).toMatchObject({ classes: 10, config: { learningRate: 0.001 }, dataset: { trainSize: 1000 } });
    const f = await h.call('POST', `/api/v1/runs/${id}/finish`, t1, { status: 'finished' });
    expect(f.status).toBe(200);
    expect(f.body.status).toBe('finished');
    const v = await h.call('GET', `/api/v1/runs/${id}/verdict`, t1);
    expect(v.status).toBe(200);
    expect(v.body.run).toEqual({ id, name: 'resnet-live', format: 'push', points: 20, epochs: 10, firstEpoch: 0 });
    expect(['pass', 'warn', 'fail']).toContain(v.body.status);
    // The dataset stats reached the engine: the 9:1 class split is judged, not 'unknown'.
    expect(v.body.items.find((i: any) => i.id === 'class_imbalance').status).not.toBe('unknown');
    // A finished run takes no more points, but finishing it again the same way is fine (a retried request).
    expect((await h.call('POST', `/api/v1/runs/${id}/metrics`, t1, epochBatch(10, 10, () => 1))).status).toBe(409);
    expect((await h.call('POST', `/api/v1/runs/${id}/finish`, t1, { status: 'finished' })).status).toBe(200);
    expect((await h.call('POST', `/api/v1/runs/${id}/finish`, t1, { status: 'crashed' })).status).toBe(409);
  });

  it('a retried batch does not duplicate points; an overlapping one adds only the new steps', async () => {
    const { body } = await h.call('POST', '/api/v1/runs', t1, { name: 'retry' });
    const batch = epochBatch(0, 4, (e) => 1 / (e + 1));
    const a = await h.call('POST', `/api/v1/runs/${body.id}/metrics`, t1, batch);
    const b = await h.call('POST', `/api/v1/runs/${body.id}/metrics`, t1, batch);
    expect(a.body).toMatchObject({ accepted: 10, duplicates: 0 });
    expect(b.body).toMatchObject({ accepted: 0, duplicates: 10, points: 10 });
    const c = await h.call('POST', `/api/v1/runs/${body.id}/metrics`, t1, epochBatch(3, 6, (e) => 1 / (e + 1)));
    expect(c.body).toMatchObject({ accepted: 4, duplicates: 4, points: 14 });
    // The same holds after a restart, when the in-memory state is rebuilt from the store.
    h.service.forget();
    const d = await h.call('POST', `/api/v1/runs/${body.id}/metrics`, t1, epochBatch(5, 7, (e) => 1 / (e + 1)));
    expect(d.body).toMatchObject({ accepted: 2, duplicates: 4, points: 16 });
    const run = await h.runs.getRun(body.id);
    expect([...run!.series[0]!.steps]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("a run may name its own alert channel only in its token's server", async () => {
    // No way to look channels up (serve --api-only): refused rather than trusted.
    const r = await h.call('POST', '/api/v1/runs', t1, { name: 'chan', discord: { channelId: '999999999999999999' } });
    expect(r).toMatchObject({ status: 400, body: { error: 'invalid_body' } });
    expect(r.body.detail).toContain('discord.channelId');
    const g = await ApiHarness.start({ service: { channelGuild: async (id) => (id === '700000000000000001' ? G1 : id === '700000000000000002' ? G2 : null) } });
    try {
      const own = await g.token(G1);
      expect((await g.call('POST', '/api/v1/runs', own, { name: 'ok', discord: { channelId: '700000000000000001' } })).status).toBe(201);
      expect((await g.call('POST', '/api/v1/runs', own, { name: 'theirs', discord: { channelId: '700000000000000002' } })).status).toBe(400);
    } finally {
      await g.stop();
    }
  });

  it('reads pushed accuracy in percent as file ingest does: scaled to 0–1 across batches, earlier points rescaled when a later batch shows it', async () => {
    // What ingesting the same values from a file gives: the reference for every pushed value below.
    const asFile = (values: number[]) => {
      const b = new SeriesBuilder();
      values.forEach((v, i) => b.add('val_acc', i, v));
      return [...b.build('epoch', [])[0]!.values];
    };
    const push = (id: string, from: number, values: number[]) =>
      h.call('POST', `/api/v1/runs/${id}/metrics`, t1, { points: values.map((v, i) => ({ step: from + i, epoch: from + i, metrics: { val_acc: v, loss: 1 / (from + i + 1) } })) });
    const stored = async (id: string) => [...(await h.runs.getRun(id))!.series.find((x) => x.name === 'val_acc')!.values];

    const a = (await h.call('POST', '/api/v1/runs', t1, { name: 'percent-from-start' })).body.id as string;
    const first = await push(a, 0, [45.0, 52.3]);
    expect(first.status).toBe(200);
    // The client is told, in the answer to the batch that showed it, not only in the run's notes.
    expect(first.body.notes).toEqual(['val_acc: values above 1 read as percent and scaled to 0–1']);
    const second = await push(a, 2, [60.1]);
    expect(second.status).toBe(200);
    expect(second.body.notes).toEqual([]);
    expect(await stored(a)).toEqual(asFile([45.0, 52.3, 60.1]));
    expect(await stored(a)).toEqual([0.45, 0.523, 60.1 / 100]);
    expect((await h.runs.getRun(a))!.series.find((x) => x.name === 'loss')!.values[0]).toBe(1);

    // A 1000-class run starts below 1 %: its first batches look like fractions until it passes 1.
    const b = (await h.call('POST', '/api/v1/runs', t1, { name: 'percent-later' })).body.id as string;
    await push(b, 0, [0.1, 0.4]);
    await push(b, 2, [0.9]);
    expect(await stored(b)).toEqual([0.1, 0.4, 0.9]);
    const late = await push(b, 3, [45]);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ accepted: 2, diagnosed: true, notes: ['val_acc: values above 1 read as percent and scaled to 0–1 (earlier points too)'] });
    expect(await stored(b)).toEqual(asFile([0.1, 0.4, 0.9, 45]));
    const run = (await h.runs.getRun(b))!;
    expect(run.notes).toEqual(['val_acc: values above 1 read as percent and scaled to 0–1 (earlier points too)']);
    // After a restart the run is still known to be in percent: nothing is rescaled twice.
    h.service.forget();
    await push(b, 4, [50]);
    expect(await stored(b)).toEqual(asFile([0.1, 0.4, 0.9, 45, 50]));
  });

  it('a create retried with the same clientRunId returns the same run', async () => {
    const a = await h.call('POST', '/api/v1/runs', t1, { name: 'keyed', clientRunId: 'job-42' });
    const b = await h.call('POST', '/api/v1/runs', t1, { name: 'keyed', clientRunId: 'job-42' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    // Another guild's identical client id is its own run.
    const c = await h.call('POST', '/api/v1/runs', t2, { name: 'keyed', clientRunId: 'job-42' });
    expect(c.status).toBe(201);
    expect(c.body.id).not.toBe(a.body.id);
  });

  it('refuses missing, malformed, unknown and revoked tokens with 401', async () => {
    expect((await h.call('POST', '/api/v1/runs', null, { name: 'x' })).body.error).toBe('unauthorized');
    const cases = ['Basic abc', 'Bearer', 'Bearer rmk_t_0000000000_' + 'A'.repeat(43), `Bearer ${t1}x`, `Bearer ${t1.slice(0, -1)}B`];
    for (const auth of cases) {
      const r = await h.call('POST', '/api/v1/runs', null, { name: 'x' }, { authorization: auth });
      expect(r.status, auth).toBe(401);
      expect(r.body).toMatchObject({ error: 'unauthorized' });
      expect(typeof r.body.detail).toBe('string');
    }
    const t = await h.token(G1, 'short-lived');
    expect((await h.call('POST', '/api/v1/runs', t, { name: 'ok' })).status).toBe(201);
    const [rec] = (await h.push.listTokens(G1)).filter((x) => x.name === 'short-lived');
    // The secret is not stored, only its hash.
    expect(JSON.stringify(rec)).not.toContain(t.split('_').at(-1));
    expect(rec!.lastUsedAt).toBe(h.clock);
    expect(await h.push.revokeToken(rec!.id, h.clock)).toBe(true);
    expect((await h.call('POST', '/api/v1/runs', t, { name: 'late' })).status).toBe(401);
  });

  it("another guild's token gets 404 on every route of a run", async () => {
    const { body } = await h.call('POST', '/api/v1/runs', t1, { name: 'private' });
    const id = body.id as string;
    for (const [method, path, payload] of [
      ['POST', `/api/v1/runs/${id}/metrics`, epochBatch(0, 1, () => 1)],
      ['POST', `/api/v1/runs/${id}/finish`, {}],
      ['POST', `/api/v1/runs/${id}/dataset`, { trainSize: 5 }],
      ['GET', `/api/v1/runs/${id}/verdict`, undefined],
    ] as const) {
      const r = await h.call(method, path, t2, payload);
      expect(r.status, path).toBe(404);
      expect(r.body.error).toBe('not_found');
    }
    // Nothing was written by the intruder.
    const run = await h.runs.getRun(id);
    expect(run?.points).toBe(0);
    expect(run?.status).toBe('running');
    // And a run that does not exist at all looks the same.
    expect((await h.call('GET', '/api/v1/runs/r_nonexisting/verdict', t2)).status).toBe(404);
  });

  it('malformed bodies get 400 naming the JSON path; wrong content types 415', async () => {
    const { body } = await h.call('POST', '/api/v1/runs', t1, { name: 'validation' });
    const m = `/api/v1/runs/${body.id}/metrics`;
    const bad = await h.call('POST', m, t1, '{"points": [');
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_json' } });
    const wrong = await h.call('POST', m, t1, { points: [{ step: 1, metrics: { loss: 0.5 } }, { step: 'two', metrics: { loss: 'x' } }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_body');
    expect(wrong.body.detail).toContain('points[1].step');
    expect(wrong.body.detail).toContain('points[1].metrics.loss');
    expect((await h.call('POST', m, t1, { points: [] })).status).toBe(400);
    expect((await h.call('POST', m, t1, { points: [{ step: 1, metrics: {} }] })).body.detail).toContain('points[0].metrics');
    expect((await h.call('POST', '/api/v1/runs', t1, { name: '' })).body.detail).toContain('name');
    expect((await h.call('POST', `/api/v1/runs/${body.id}/finish`, t1, { status: 'exploded' })).body.detail).toContain('status');
    expect((await h.call('POST', `/api/v1/runs/${body.id}/dataset`, t1, { trainSize: -3 })).body.detail).toContain('trainSize');
    const text = await h.call('POST', m, t1, 'loss=1', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    // null stands for a non-finite value and is kept as NaN.
    const nan = await h.call('POST', m, t1, { points: [{ step: 1, metrics: { loss: null } }] });
    expect(nan.body.accepted).toBe(1);
    expect(Number.isNaN((await h.runs.getRun(body.id))!.series[0]!.values[0])).toBe(true);
    expect(await h.runs.getRun(body.id).then((r) => r?.points)).toBe(1);
  });

  it('an oversized body gets 413 and nothing is stored', async () => {
    const { body } = await h.call('POST', '/api/v1/runs', t1, { name: 'big' });
    const points = Array.from({ length: 3000 }, (_, i) => ({ step: i, metrics: { loss: 1 / (i + 1) } }));
    const r = await h.call('POST', `/api/v1/runs/${body.id}/metrics`, t1, { points });
    expect(r.status).toBe(413);
    expect(r.body.error).toBe('body_too_large');
    expect((await h.runs.getRun(body.id))?.points).toBe(0);
  });

  it('unknown routes get 404 and wrong methods 405, as JSON', async () => {
    expect(await h.call('GET', '/api/v1/nothing', t1)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await h.call('DELETE', '/api/v1/runs', t1)).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
  });
});

describe('push API rate limit', () => {
  it('a token over its burst gets 429 with Retry-After, and is served again once the bucket refills', async () => {
    const h = await ApiHarness.start({ server: { ratePerSecond: 2, rateBurst: 3 } });
    try {
      const t = await h.token(G1);
      const other = await h.token(G1, 'other');
      for (let i = 0; i < 3; i++) expect((await h.call('GET', '/api/v1/runs/r_x/verdict', t)).status).toBe(404);
      const limited = await h.call('GET', '/api/v1/runs/r_x/verdict', t);
      expect(limited.status).toBe(429);
      expect(limited.body.error).toBe('rate_limited');
      expect(limited.headers.get('retry-after')).toBe('1');
      // Per token: another token of the same guild is unaffected.
      expect((await h.call('GET', '/api/v1/runs/r_x/verdict', other)).status).toBe(404);
      h.clock += 500;
      expect((await h.call('GET', '/api/v1/runs/r_x/verdict', t)).status).toBe(404);
      expect((await h.call('GET', '/api/v1/runs/r_x/verdict', t)).status).toBe(429);
    } finally {
      await h.stop();
    }
  });
});

describe('POST /runs: the config spellings scripts use, and nothing silently dropped', () => {
  let h: ApiHarness;
  let t: string;
  beforeAll(async () => {
    h = await ApiHarness.start();
    t = await h.token(G1);
  });
  afterAll(() => h?.stop());

  it('lr, batch_size, num_epochs and a classes/framework inside config are taken under the API names', async () => {
    const c = await h.call('POST', '/api/v1/runs', t, { name: 'aliases', config: { lr: 0.1, batch_size: 32, num_epochs: 5, classes: 10, framework: 'pytorch' } });
    expect(c.status).toBe(201);
    expect((await h.push.pushedRun(c.body.id))!.context).toEqual({ classes: 10, config: { learningRate: 0.1, batchSize: 32, epochs: 5 } });
    expect((await h.runs.getRun(c.body.id))!.meta).toMatchObject({ framework: 'pytorch', config: { learningRate: 0.1 } });
    // And the rules see them: the learning rate is evidence.
    await h.call('POST', `/api/v1/runs/${c.body.id}/metrics`, t, epochBatch(0, 9, (e) => 2 * 1.5 ** e));
    const v = await h.call('GET', `/api/v1/runs/${c.body.id}/verdict`, t);
    expect(v.body.items.find((i: { id: string }) => i.id === 'lr_too_high').evidence).toMatchObject({ learningRate: 0.1 });
  });

  it('an unknown config key is a 400 naming it and the accepted names', async () => {
    const r = await h.call('POST', '/api/v1/runs', t, { name: 'x', config: { lr: 0.01, momentum: 0.9 } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_body');
    expect(r.body.detail).toMatch(/config\.momentum: unknown setting; accepted: learningRate \(or lr, learning_rate/);
    expect(r.body.detail).toMatch(/batchSize \(or batch_size/);
  });

  it('an unknown top-level key is a 400 naming it and the accepted fields', async () => {
    const r = await h.call('POST', '/api/v1/runs', t, { name: 'x', learning_rate: 0.01 });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/learning_rate: unknown field; accepted: name, clientRunId, config, classes, framework, discord/);
  });

  it('an unknown key in a point, a dataset body or a finish body is a 400 naming it and the accepted fields; nothing is stored', async () => {
    const id = (await h.call('POST', '/api/v1/runs', t, { name: 'strict-bodies' })).body.id;
    const m = await h.call('POST', `/api/v1/runs/${id}/metrics`, t, { points: [{ step: 0, metrics: { loss: 1 } }, { step: 1, wall_time: 5, metrics: { loss: 0.9 } }] });
    expect(m.status).toBe(400);
    expect(m.body.detail).toBe('points[1]: unknown field wall_time; accepted: step, epoch, time, metrics, cadence');
    expect((await h.runs.getRun(id))!.points).toBe(0);
    const d = await h.call('POST', `/api/v1/runs/${id}/dataset`, t, { trainSize: 1000, train_val_overlap: 12, dupes: 3 });
    expect(d.status).toBe(400);
    expect(d.body.detail).toMatch(/^\(body\): unknown fields train_val_overlap, dupes; accepted: classCounts, valClassCounts, trainSize, valSize, duplicates, trainValOverlap,/);
    expect((await h.push.pushedRun(id))!.context.dataset).toBeUndefined();
    const f = await h.call('POST', `/api/v1/runs/${id}/finish`, t, { status: 'finished', exitCode: 0 });
    expect(f.status).toBe(400);
    expect(f.body.detail).toBe('(body): unknown field exitCode; accepted: status');
    expect((await h.runs.getRun(id))!.status).toBe('running');
  });

  it('one setting given twice under two spellings is a 400, not a silent pick', async () => {
    const r = await h.call('POST', '/api/v1/runs', t, { name: 'x', config: { lr: 0.01, learningRate: 0.1 } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/learningRate is already given/);
    const top = await h.call('POST', '/api/v1/runs', t, { name: 'x', classes: 3, config: { num_classes: 10 } });
    expect(top.body.detail).toMatch(/config\.num_classes: classes is already given/);
  });
});

describe('non-finite metric values (JSON has no NaN)', () => {
  let h: ApiHarness;
  let t: string;
  let id: string;
  beforeAll(async () => {
    h = await ApiHarness.start();
    t = await h.token(G1);
    id = (await h.call('POST', '/api/v1/runs', t, { name: 'nan' })).body.id;
  });
  afterAll(() => h?.stop());

  it("takes the bare NaN/Infinity Python's json.dumps writes, and the strings, as non-finite points", async () => {
    // Exactly what json.dumps({"points": [...]}) prints for float('nan') and float('inf').
    const raw = '{"points": [{"step": 1, "metrics": {"loss": NaN, "val_loss": Infinity}}, {"step": 2, "metrics": {"loss": -Infinity, "val_loss": "NaN"}}, {"step": 3, "metrics": {"loss": "inf", "val_loss": 0.5}}]}';
    const r = await h.call('POST', `/api/v1/runs/${id}/metrics`, t, raw);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(6);
    const run = (await h.runs.getRun(id))!;
    const loss = run.series.find((s) => s.name === 'loss')!;
    expect(Array.from(loss.values).every((v) => Number.isNaN(v))).toBe(true);
    const v = await h.call('GET', `/api/v1/runs/${id}/verdict`, t);
    expect(v.body.items.find((i: { id: string }) => i.id === 'nan_loss').status).toBe('fail');
  });

  it('another string is refused saying to send a number or null', async () => {
    const r = await h.call('POST', `/api/v1/runs/${id}/metrics`, t, { points: [{ step: 9, metrics: { loss: '0.5' } }] });
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('points[0].metrics.loss: expected a number, or null for NaN/Infinity (got the string "0.5")');
  });

  it('elsewhere a bare NaN is still invalid JSON, and the error says to send null', async () => {
    const r = await h.call('POST', `/api/v1/runs/${id}/dataset`, t, '{"inputMean": NaN}');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_json');
    expect(r.body.detail).toMatch(/JSON has no NaN or Infinity: send null/);
  });

  it('a metrics body broken otherwise is still a precise invalid_json', async () => {
    const r = await h.call('POST', `/api/v1/runs/${id}/metrics`, t, '{"points": [{"step": 1, "metrics": {"loss": NaN,}}]}');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_json');
    expect(r.body.detail).toMatch(/column 49: trailing comma/);
  });
});
