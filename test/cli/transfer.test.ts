/**
 * runmedic export | import as processes: the bundled examples and a token go from a SQLite file into PostgreSQL and
 * back into a new SQLite file, and read the same at every stop (runs, series bit for bit, verdicts). An import into a
 * database that has data, or of a file that is not a dump, is refused in one line and changes nothing. The PostgreSQL
 * legs skip with a notice when it is not installed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { runCli } from '../support/run-cli.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { testCluster, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();
const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-transfer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const examples = ['keras-healthy.csv', 'lightning-diverging-metrics.csv'].map((f) => path.join(REPO_ROOT, 'examples', f));

describe('runmedic export | import', { timeout: 180_000 }, () => {
  it.runIf(postgresAvailable())('moves a SQLite database into PostgreSQL and back, unchanged', async () => {
    const first = path.join(dir, 'first.db');
    const sqlite = (args: string[]) => runCli([...args, '--db', first]);
    expect((await sqlite(['ingest', ...examples])).code).toBe(0);
    expect((await sqlite(['token', 'create', 'ci', '--guild', '555555555555555555'])).code).toBe(0);
    const dump1 = path.join(dir, 'one.jsonl');
    const ex = await sqlite(['export', dump1]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stderr).toMatch(/exported 2 runs \(\d+ chunks\), 0 jobs, 1 tokens/);

    const env = { DATABASE_URL: await testCluster().freshDatabase() };
    const im = await runCli(['import', dump1], { env });
    expect(im.code, im.stderr).toBe(0);
    expect(im.stderr).toMatch(/imported 2 runs .* into postgres:\/\//);
    const dump2 = path.join(dir, 'two.jsonl');
    expect((await runCli(['export', dump2], { env })).code).toBe(0);
    const back = path.join(dir, 'back.db');
    expect((await runCli(['import', dump2, '--db', back])).code).toBe(0);

    const listed = async (extra: string[], e?: Record<string, string>) => JSON.parse((await runCli(['runs', '--json', ...extra], { env: e })).stdout) as { id: string; name: string }[];
    const runsFirst = await listed(['--db', first]);
    expect(await listed([], env)).toEqual(runsFirst);
    expect(await listed(['--db', back])).toEqual(runsFirst);
    // Every chunk's bytes are compared below; one run's series as the CLI prints them is enough here.
    for (const r of runsFirst.slice(0, 1)) {
      const shows = await Promise.all([runCli(['show', r.id, '--json', '--db', first]), runCli(['show', r.id, '--json'], { env }), runCli(['show', r.id, '--json', '--db', back])]);
      expect(shows[1]!.stdout).toBe(shows[0]!.stdout);
      expect(shows[2]!.stdout).toBe(shows[0]!.stdout);
    }
    const verdicts = await Promise.all([runCli(['diagnose', runsFirst[0]!.id, '--json', '--db', first]), runCli(['diagnose', runsFirst[0]!.id, '--json'], { env })]);
    expect(verdicts[1]!.stdout).toBe(verdicts[0]!.stdout);
    // The chunk bytes themselves made the round trip.
    const chunks = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{"t":"chunks"')).map((l) => JSON.parse(l).r).map((r) => `${r.run_id}/${r.series_idx}/${r.seq}:${JSON.stringify(r.vals)}`).sort();
    expect(chunks(dump2)).toEqual(chunks(dump1));

    const again = await runCli(['import', dump1], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^runmedic: the target database already has runs: import into an empty database/);
  });

  it('refuses a file that is not a dump, and a truncated one, storing nothing', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, 'epoch,loss\n1,0.5\n');
    const db = path.join(dir, 'empty.db');
    const r = await runCli(['import', bad, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a runmedic dump');
    const dump = path.join(dir, 'ok.jsonl');
    const src = path.join(dir, 'src.db');
    await runCli(['ingest', examples[0]!, '--db', src]);
    await runCli(['export', dump, '--db', src]);
    const text = readFileSync(dump, 'utf8');
    writeFileSync(dump, text.slice(0, Math.floor(text.length * 0.6)));
    const cut = await runCli(['import', dump, '--db', db]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/not JSON \(a truncated dump\?\)/);
    expect(JSON.parse((await runCli(['runs', '--json', '--db', db])).stdout)).toEqual([]);
  });
});
