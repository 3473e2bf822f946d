/** The copy-paste shell client (examples/clients/curl.sh) run with `sh`, as its header says, against the API over a real socket. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness, CLIENTS_DIR, commandWorks, runClient } from './api-harness.ts';

const MISSING = ['sh', 'curl', 'sed'].filter((c) => !commandWorks('sh', ['-c', `command -v ${c}`]));
if (MISSING.length) console.warn(`curl-client.test: skipped, ${MISSING.join(', ')} not found (apt-get install -y curl)`);

const SCRIPT = path.join(CLIENTS_DIR, 'curl.sh');

describe.skipIf(MISSING.length > 0)('curl shell client', () => {
  let h: ApiHarness;
  const requests: string[] = [];
  beforeAll(async () => {
    h = await ApiHarness.start();
    h.api.server.on('request', (req) => requests.push(`${req.method} ${req.url}`));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates the named run, pushes two epochs, finishes it and prints its verdict', async () => {
    const token = await h.token('888888888888888888');
    const out = await runClient('sh', [SCRIPT], { env: { RUNMEDIC_URL: h.api.url, RUNMEDIC_TOKEN: token, RUNMEDIC_NAME: 'nightly-resnet' } });
    const lines = out.stdout.trim().split('\n');
    const runId = /^run (\S+)$/.exec(lines[0]!)?.[1];
    expect(runId).toBeDefined();
    expect(JSON.parse(lines[1]!)).toMatchObject({ runId, accepted: 4, duplicates: 0, points: 4 });
    const verdict = JSON.parse(lines[2]!);
    expect(verdict.run).toMatchObject({ id: runId, name: 'nightly-resnet', points: 4 });
    expect(['pass', 'warn', 'fail']).toContain(verdict.status);

    const run = (await h.runs.getRun(runId!))!;
    expect(run.name).toBe('nightly-resnet');
    expect(run.status).toBe('finished');
    expect(run.meta).toMatchObject({ config: { learningRate: 0.001 } });
    for (const [name, values] of [['loss', [2.3, 1.2]], ['val_loss', [2.31, 1.35]]] as const) {
      const s = run.series.find((x) => x.name === name)!;
      expect([...s.steps]).toEqual([0, 1]);
      expect([...s.epochs!]).toEqual([0, 1]);
      expect([...s.values]).toEqual(values);
      expect(s.cadence).toBe('epoch');
    }
  });

  it('stops with a message after a refused token instead of posting points to a run that does not exist', async () => {
    requests.length = 0;
    const failed = await runClient('sh', [SCRIPT], { env: { RUNMEDIC_URL: h.api.url, RUNMEDIC_TOKEN: 'rmk_revoked' } }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(failed).toContain('401');
    expect(failed).toContain('runmedic: no run created');
    expect(requests).toEqual(['POST /api/v1/runs']);
  });
});
