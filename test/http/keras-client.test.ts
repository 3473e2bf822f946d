/** The copy-paste Keras client (examples/clients/keras_callback.py), its HTTP helper run with python3 against the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/real-logs.ts';
import { ApiHarness } from './api-harness.ts';

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PYTHON = hasPython();
if (!PYTHON) console.warn('python-client.test: python3 not found, skipping the Python client test');

const SCRIPT = `
import sys
sys.path.insert(0, sys.argv[1])
from keras_callback import Runmedic
rm = Runmedic("py-client", sys.argv[2], sys.argv[3], config={"learningRate": 0.01, "batchSize": 64}, classes=10)
for epoch in range(5):
    loss = 2.0 / (epoch + 1)
    rm.log(epoch, {"loss": loss, "val_loss": float("nan") if epoch == 4 else loss * 1.2, "accuracy": 0.5 + epoch / 20}, epoch=epoch)
rm.log(4, {"loss": 0.4})  # a retry of a step already sent: dropped by the server
print(rm.run_id)
print(rm.finish()["status"])
`;

describe.skipIf(!PYTHON)('Python Keras-style client', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates a run, pushes epochs (NaN as null), and finishes it', async () => {
    const token = await h.token('333333333333333333');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('python3', ['-c', SCRIPT, path.join(REPO_ROOT, 'examples', 'clients'), h.api.url, token], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const [runId, status] = out.trim().split('\n');
    expect(status).toBe('finished');
    const run = await h.runs.getRun(runId!);
    expect(run?.status).toBe('finished');
    expect(run?.points).toBe(15);
    const val = run!.series.find((s) => s.name === 'val_loss')!;
    expect(val.cadence).toBe('epoch');
    expect(Number.isNaN(val.values[4])).toBe(true);
    expect((await h.push.pushedRun(runId!))?.context).toEqual({ config: { learningRate: 0.01, batchSize: 64 }, classes: 10 });
  });
});
