/**
 * The copy-paste PyTorch helper (examples/clients/pytorch_helper.py) driven the way its docstring tells users to:
 * a real torch training loop in python3, streaming to the API over a real socket. One process, three runs:
 * a normal one, one whose loop raises, and one with a revoked-looking token (training must go on regardless).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness, CLIENTS_DIR, missingPythonModules, runClient, type ClientOutput } from './api-harness.ts';

const MISSING = missingPythonModules('torch');
if (MISSING.length) console.warn(`pytorch-client.test: skipped, python3 lacks ${MISSING.join(', ')}`);

const SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch
from pytorch_helper import RunmedicRun
url, token = sys.argv[2], sys.argv[3]
torch.manual_seed(0)
x, y = torch.randn(64, 8), torch.randint(0, 3, (64,))
xv, yv = torch.randn(32, 8), torch.randint(0, 3, (32,))
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = torch.nn.CrossEntropyLoss()
batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]

def train(rm, epochs, crash_at=None):
    losses, val = [], []
    step = 0
    for epoch in range(epochs):
        for i, (xb, yb) in enumerate(batches):
            if step == crash_at:
                raise RuntimeError("CUDA out of memory (simulated)")
            opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); opt.step(); step += 1
            losses.append(loss.item())
            rm.log(step, loss=loss.item(), lr=opt.param_groups[0]["lr"], epoch=epoch + (i + 1) / len(batches))
        with torch.no_grad():
            val.append(loss_fn(model(xv), yv).item())
        rm.log(step, epoch=epoch + 1, val_loss=torch.tensor(val[-1]))  # a 0-d tensor, as users pass them
    return losses, val

out = {}
with RunmedicRun("torch-mlp", url, token, config={"learningRate": 0.05, "batchSize": 16, "epochs": 3}, classes=3, every=5) as rm:
    out["losses"], out["val"] = train(rm, 3)
    out["id"] = rm.run_id
try:
    with RunmedicRun("torch-crash", url, token, every=5) as rm:
        out["crashId"] = rm.run_id
        train(rm, 3, crash_at=6)
except RuntimeError:
    out["crashed"] = True
with RunmedicRun("torch-bad-token", url, "rmk_not_a_token") as rm:
    out["badTokenLosses"] = len(train(rm, 1)[0])
    out["badTokenId"] = rm.run_id
print("RESULT " + json.dumps(out))
`;

describe.skipIf(MISSING.length > 0)('PyTorch helper client, a real torch loop', () => {
  let h: ApiHarness;
  let py: ClientOutput;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('444444444444444444');
    py = await runClient('python3', ['-c', SCRIPT, CLIENTS_DIR, h.api.url, token], { timeoutMs: 170_000 });
    console.info(`pytorch-client.test: python3 + torch loop took ${py.ms} ms`);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('stores the run with its name, framework, config and class count, finished when the with-block ends', async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    expect(run.name).toBe('torch-mlp');
    expect(run.status).toBe('finished');
    expect(run.meta).toMatchObject({ framework: 'pytorch', config: { learningRate: 0.05, batchSize: 16, epochs: 3 } });
    expect((await h.push.pushedRun(run.id))?.context).toEqual({ config: { learningRate: 0.05, batchSize: 16, epochs: 3 }, classes: 3 });
  });

  it('stores every logged step once, with global steps, fractional epochs and the values torch computed', async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    expect(run.series.map((s) => s.name).sort()).toEqual(['loss', 'lr', 'val_loss']);
    const loss = run.series.find((s) => s.name === 'loss')!;
    expect([...loss.steps]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...loss.epochs!]).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    expect([...loss.values]).toEqual(py.result.losses);
    expect(loss.cadence).toBe('step');
    expect([...run.series.find((s) => s.name === 'lr')!.values]).toEqual(Array(12).fill(0.05));
    const val = run.series.find((s) => s.name === 'val_loss')!;
    expect([...val.steps]).toEqual([4, 8, 12]);
    expect([...val.epochs!]).toEqual([1, 2, 3]);
    expect([...val.values]).toEqual(py.result.val);
    expect(run.points).toBe(12 + 12 + 3);
  });

  it('marks the run crashed when the loop raises inside the with-block, keeping the points sent before', async () => {
    expect(py.result.crashed).toBe(true);
    const run = (await h.runs.getRun(py.result.crashId))!;
    expect(run.name).toBe('torch-crash');
    expect(run.status).toBe('crashed');
    expect([...run.series.find((s) => s.name === 'loss')!.steps]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...run.series.find((s) => s.name === 'val_loss')!.steps]).toEqual([4]);
  });

  it('lets training finish when the server refuses the token, storing nothing for it', async () => {
    expect(py.result.badTokenLosses).toBe(4);
    expect(py.result.badTokenId).toBeNull();
    expect(py.stdout).toContain('runmedic: could not send /api/v1/runs');
    expect((await h.runs.listRuns()).map((r) => r.name).sort()).toEqual(['torch-crash', 'torch-mlp']);
  });
});
