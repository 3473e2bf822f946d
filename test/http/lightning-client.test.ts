/**
 * The copy-paste Lightning logger (examples/clients/lightning_logger.py) given to a real `lightning.Trainer` in python3:
 * a tiny LightningModule on random tensors, CPU, streaming to the API over a real socket. One process: a 2-epoch fit,
 * a validate() on the same trainer (its own run, as the logger's docstring says), and a fit whose step raises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import type { Run } from '../../src/domain/run.ts';
import { ApiHarness, CLIENTS_DIR, missingPythonModules, runClient, type ClientOutput } from './api-harness.ts';

const MISSING = missingPythonModules('torch', 'lightning');
if (MISSING.length) console.warn(`lightning-client.test: skipped, python3 lacks ${MISSING.join(', ')}`);

const SCRIPT = `
import json, sys, time, warnings
started = time.time()
sys.path.insert(0, sys.argv[1])
import torch, lightning as L
from torch.utils.data import DataLoader, TensorDataset
from lightning_logger import RunmedicLogger
url, token = sys.argv[2], sys.argv[3]
imported = time.time() - started
warnings.filterwarnings("ignore")
torch.manual_seed(0)
train = DataLoader(TensorDataset(torch.randn(64, 8), torch.randint(0, 3, (64,))), batch_size=16)
val = DataLoader(TensorDataset(torch.randn(32, 8), torch.randint(0, 3, (32,))), batch_size=16)

class Net(L.LightningModule):
    def __init__(self, lr=0.05, batch_size=16, max_epochs=2, crash_at_epoch=-1):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
        self.losses, self.val_losses = [], []

    def training_step(self, batch, i):
        if self.current_epoch == self.hparams.crash_at_epoch:
            raise RuntimeError("simulated crash")
        x, y = batch
        loss = torch.nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        self.losses.append(loss.item())
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        out = self.net(x)
        self.log("val_loss", torch.nn.functional.cross_entropy(out, y))
        self.log("val_acc", (out.argmax(1) == y).float().mean())

    def on_validation_epoch_end(self):
        if not self.trainer.sanity_checking:
            self.val_losses.append(self.trainer.callback_metrics["val_loss"].item())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

class RunIds(L.Callback):  # the logger forgets its run at finalize: note it while the stage runs
    ids = {}
    def on_train_end(self, trainer, module): self.ids["fit"] = trainer.logger.run_id
    def on_validation_end(self, trainer, module): self.ids.setdefault(trainer.state.fn.value, trainer.logger.run_id)

def trainer(name, token=token):
    return L.Trainer(max_epochs=2, accelerator="cpu", devices=1, logger=RunmedicLogger(name, url, token, every=3),
                     callbacks=[RunIds()], log_every_n_steps=1, enable_progress_bar=False,
                     enable_checkpointing=False, enable_model_summary=False)

out = {"importSeconds": round(imported, 1)}
t, model = trainer("lit-mlp"), Net()
t.fit(model, train, val)
out["losses"], out["valLosses"] = list(model.losses), list(model.val_losses)
t.validate(model, val)
out["ids"] = dict(RunIds.ids)
RunIds.ids.clear()
try:
    trainer("lit-crash").fit(Net(batch_size="16", crash_at_epoch=1), train, val)  # a string, as from a CLI
except RuntimeError:
    out["crashed"] = True
out["crashIds"] = dict(RunIds.ids)
refused = Net()
trainer("lit-refused", token="rmk_revoked").fit(refused, train, val)
out["refusedSteps"] = len(refused.losses)
out["seconds"] = round(time.time() - started, 1)
print("RESULT " + json.dumps(out))
`;

describe.skipIf(MISSING.length > 0)('Lightning logger client, a real lightning.Trainer', () => {
  let h: ApiHarness;
  let py: ClientOutput;
  const metricPosts: string[] = [];
  const refusedRequests: string[] = [];
  const run = async (id: string): Promise<Run> => (await h.runs.getRun(id))!;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('555555555555555555');
    h.api.server.on('request', (req) => {
      if (req.headers.authorization === 'Bearer rmk_revoked') refusedRequests.push(`${req.method} ${req.url}`);
      else if (req.url?.endsWith('/metrics')) metricPosts.push(req.url);
    });
    py = await runClient('python3', ['-c', SCRIPT, CLIENTS_DIR, h.api.url, token], { timeoutMs: 170_000 });
    console.info(`lightning-client.test: python3 took ${py.ms} ms (importing torch + lightning: ${py.result.importSeconds} s)`);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('lets a fit run to the end when the server refuses the token, asking for a run once rather than at every step', () => {
    expect(py.result.refusedSteps).toBe(8);
    expect(refusedRequests).toEqual(['POST /api/v1/runs']);
  });

  it('creates one run per trainer stage, named after the logger, with the config from save_hyperparameters()', async () => {
    const runs = await h.runs.listRuns();
    expect(runs.map((r) => r.name).sort()).toEqual(['lit-crash', 'lit-mlp', 'lit-mlp']);
    const fit = await run(py.result.ids.fit);
    expect(fit.name).toBe('lit-mlp');
    expect(fit.meta).toMatchObject({ framework: 'lightning', config: { learningRate: 0.05, batchSize: 16, epochs: 2 } });
    expect((await h.push.pushedRun(fit.id))?.context).toEqual({ config: { learningRate: 0.05, batchSize: 16, epochs: 2 } });
  });

  it('stores each training step and each epoch-end validation, with the values Lightning logged, and finishes the fit', async () => {
    const fit = await run(py.result.ids.fit);
    expect(fit.status).toBe('finished');
    expect(fit.series.map((s) => s.name).sort()).toEqual(['train_loss', 'val_acc', 'val_loss']);
    const loss = seriesNamed(fit, 'train_loss');
    // 64 samples in batches of 16: 4 optimiser steps an epoch, logged at steps 0..7 (Lightning logs before counting the step).
    expect([...loss.steps]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...loss.epochs!]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect([...loss.values]).toEqual(py.result.losses);
    const valLoss = seriesNamed(fit, 'val_loss');
    // Lightning logs an epoch's validation at the step of that epoch's last training batch.
    expect([...valLoss.steps]).toEqual([3, 7]);
    expect([...valLoss.epochs!]).toEqual([0, 1]);
    expect([...valLoss.values]).toEqual(py.result.valLosses);
    expect(seriesNamed(fit, 'val_acc').values).toHaveLength(2);
  });

  it('sends the fit in batches (every=3, and at once for a validation), not one request per logged step', () => {
    const posts = metricPosts.filter((u) => u.includes(py.result.ids.fit)).length;
    // 10 log_metrics calls (8 steps, 2 validations); Lightning calls save() after each one.
    expect(posts).toBeGreaterThanOrEqual(2);
    expect(posts).toBeLessThanOrEqual(6);
  });

  it('gives validate() its own finished run with one validation point', async () => {
    const v = await run(py.result.ids.validate);
    expect(v.id).not.toBe(py.result.ids.fit);
    expect(v.status).toBe('finished');
    expect(v.series.map((s) => [s.name, s.values.length]).sort()).toEqual([['val_acc', 1], ['val_loss', 1]]);
  });

  it('marks a fit whose training step raises as crashed, keeping its first epoch', async () => {
    expect(py.result.crashed).toBe(true);
    const crash = await run(py.result.crashIds.fit);
    expect(crash.status).toBe('crashed');
    // The string batch_size is left out of the config rather than making the server refuse the whole run.
    expect(crash.meta).toMatchObject({ config: { learningRate: 0.05, epochs: 2 } });
    expect((crash.meta.config as Record<string, unknown>).batchSize).toBeUndefined();
    expect([...seriesNamed(crash, 'train_loss').steps]).toEqual([0, 1, 2, 3]);
    expect([...seriesNamed(crash, 'val_loss').epochs!]).toEqual([0]);
  });
});
