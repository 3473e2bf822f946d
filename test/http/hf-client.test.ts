/**
 * The copy-paste Hugging Face callback (examples/clients/hf_callback.py) against the API over a real socket:
 * - with a real `transformers.Trainer` (tiny torch model, CPU, 2 epochs) when transformers + accelerate are installed;
 * - with a stand-in `transformers` module (TrainerCallback base only) on PYTHONPATH, the hooks called with args/state
 *   objects carrying the real TrainingArguments/TrainerState field names: cheap, so it runs wherever python3 does and
 *   reaches the cases a tiny real run does not (a non-zero rank, a fractional num_train_epochs, a NaN loss).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { ApiHarness, CLIENTS_DIR, commandWorks, missingPythonModules, runClient, type ClientOutput } from './api-harness.ts';

const PYTHON = commandWorks('python3');
const MISSING = PYTHON ? missingPythonModules('torch', 'transformers', 'accelerate') : ['python3'];
if (!PYTHON) console.warn('hf-client.test: skipped, python3 not found');
else if (MISSING.length) console.warn(`hf-client.test: real-Trainer test skipped, python3 lacks ${MISSING.join(', ')}`);


const REAL_TRAINER = `
import json, sys, tempfile, time, warnings
started = time.time()
sys.path.insert(0, sys.argv[1])
import torch
from transformers import Trainer, TrainingArguments
from hf_callback import RunmedicCallback
url, token = sys.argv[2], sys.argv[3]
imported = time.time() - started
warnings.filterwarnings("ignore")
torch.manual_seed(0)

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    def forward(self, x, labels=None):
        logits = self.net(x)
        return {"loss": torch.nn.functional.cross_entropy(logits, labels), "logits": logits}

class Data(torch.utils.data.Dataset):
    def __init__(self, n):
        self.x, self.y = torch.randn(n, 8), torch.randint(0, 3, (n,))
    def __len__(self):
        return len(self.x)
    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}

with tempfile.TemporaryDirectory() as out_dir:
    args = TrainingArguments(output_dir=out_dir, num_train_epochs=2, per_device_train_batch_size=16, per_device_eval_batch_size=16,
                             learning_rate=0.05, logging_steps=1, eval_strategy="epoch", save_strategy="no", report_to="none",
                             use_cpu=True, disable_tqdm=True, seed=0)
    trainer = Trainer(model=Net(), args=args, train_dataset=Data(64), eval_dataset=Data(32),
                      callbacks=[RunmedicCallback("hf-mlp", url, token)])
    trainer.train()
cb = next(c for c in trainer.callback_handler.callbacks if isinstance(c, RunmedicCallback))
print("RESULT " + json.dumps({"id": cb.run_id, "history": trainer.state.log_history, "importSeconds": round(imported, 1)}))
`;

describe.skipIf(MISSING.length > 0)('Hugging Face callback client, a real transformers.Trainer', () => {
  let h: ApiHarness;
  let py: ClientOutput;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('666666666666666666');
    py = await runClient('python3', ['-c', REAL_TRAINER, CLIENTS_DIR, h.api.url, token], { timeoutMs: 170_000 });
    console.info(`hf-client.test: python3 took ${py.ms} ms (importing torch + transformers: ${py.result.importSeconds} s)`);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('creates the run with the trainer arguments as config and finishes it at on_train_end', async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    expect(run.name).toBe('hf-mlp');
    expect(run.status).toBe('finished');
    expect(run.meta).toMatchObject({ framework: 'transformers', config: { learningRate: 0.05, batchSize: 16, epochs: 2 } });
    expect((await h.runs.listRuns()).length).toBe(1);
  });

  it('stores every step log and each epoch evaluation as the Trainer logged them, and none of its speed figures', async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    const history: Array<Record<string, number>> = py.result.history;
    const steps = history.filter((l) => 'loss' in l);
    const evals = history.filter((l) => 'eval_loss' in l);
    expect(steps).toHaveLength(8); // 64 samples, batches of 16, 2 epochs, a log every step
    expect(evals).toHaveLength(2);
    expect(run.series.map((s) => s.name).sort()).toEqual(['eval_loss', 'grad_norm', 'learning_rate', 'loss']);
    const loss = seriesNamed(run, 'loss');
    expect([...loss.steps]).toEqual(steps.map((l) => l.step));
    expect([...loss.epochs!]).toEqual(steps.map((l) => l.epoch));
    expect([...loss.values]).toEqual(steps.map((l) => l.loss));
    expect([...seriesNamed(run, 'learning_rate').values]).toEqual(steps.map((l) => l.learning_rate));
    const evalLoss = seriesNamed(run, 'eval_loss');
    expect([...evalLoss.steps]).toEqual([4, 8]);
    expect([...evalLoss.epochs!]).toEqual([1, 2]);
    expect([...evalLoss.values]).toEqual(evals.map((l) => l.eval_loss));
  });
});

const STAND_IN = `
import json, sys
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
from hf_callback import RunmedicCallback
import transformers
assert transformers.STAND_IN
url, token = sys.argv[2], sys.argv[3]
control = SimpleNamespace(should_log=False, should_evaluate=False, should_save=False, should_training_stop=False)
# TrainingArguments fields the callback reads; num_train_epochs is a float there (0.5 is allowed).
args = SimpleNamespace(learning_rate=3e-5, per_device_train_batch_size=8, gradient_accumulation_steps=4, world_size=2,
                       num_train_epochs=0.5, output_dir="out")
def state(**kw):  # TrainerState's fields, as Trainer sets them before on_train_begin
    base = dict(epoch=0.0, global_step=0, max_steps=20, logging_steps=10, eval_steps=10, save_steps=500, train_batch_size=8,
                num_train_epochs=1, num_input_tokens_seen=0, total_flos=0.0, log_history=[], best_metric=None,
                is_local_process_zero=True, is_world_process_zero=True, is_hyper_param_search=False, trial_name=None)
    return SimpleNamespace(**{**base, **kw})

rank1 = RunmedicCallback("hf-rank1", url, token)
rank1.on_train_begin(args, state(is_local_process_zero=False, is_world_process_zero=False), control)
rank1.on_log(args, state(global_step=10, epoch=0.5, is_world_process_zero=False), control, logs={"loss": 1.0})
rank1.on_train_end(args, state(is_world_process_zero=False), control)

cb = RunmedicCallback("hf-standin", url, token)
cb.on_train_begin(args, state(), control)
cb.on_log(args, state(global_step=10, epoch=0.5), control, logs={"loss": 2.25, "grad_norm": 1.5, "learning_rate": 3e-5, "epoch": 0.5})
cb.on_log(args, state(global_step=10, epoch=0.5), control,
          logs={"eval_loss": 2.5, "eval_accuracy": 0.25, "eval_runtime": 0.41, "eval_samples_per_second": 97.5,
                "eval_steps_per_second": 12.2, "epoch": 0.5})
cb.on_evaluate(args, state(global_step=10, epoch=0.5), control, metrics={"eval_loss": 2.5})  # the base class's no-op
cb.on_log(args, state(global_step=20, epoch=1.0), control, logs={"loss": float("nan"), "grad_norm": float("inf"), "epoch": 1.0})
cb.on_log(args, state(global_step=20, epoch=1.0), control,
          logs={"train_runtime": 3.2, "train_samples_per_second": 50.0, "train_steps_per_second": 6.2, "total_flos": 1.0e12,
                "train_loss": 1.7, "epoch": 1.0})
cb.on_train_end(args, state(global_step=20, epoch=1.0), control)
print("RESULT " + json.dumps({"id": cb.run_id, "rank1": rank1.run_id}))
`;

describe.skipIf(!PYTHON)('Hugging Face callback client, hooks called with a stand-in transformers module (TrainerCallback only)', () => {
  let h: ApiHarness;
  let py: ClientOutput;
  let dir: string;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('777777777777777777');
    dir = await mkdtemp(path.join(os.tmpdir(), 'runmedic-hf-standin-'));
    await mkdir(path.join(dir, 'transformers'));
    // Only the base class the callback subclasses: in transformers its hooks are no-ops with this signature.
    const hooks = ['on_init_end', 'on_train_begin', 'on_train_end', 'on_epoch_begin', 'on_epoch_end', 'on_step_begin', 'on_step_end', 'on_evaluate', 'on_save', 'on_log'];
    await writeFile(
      path.join(dir, 'transformers', '__init__.py'),
      `STAND_IN = True\n\nclass TrainerCallback:\n${hooks.map((n) => `    def ${n}(self, args, state, control, **kwargs):\n        pass\n`).join('')}`,
    );
    py = await runClient('python3', ['-c', STAND_IN, CLIENTS_DIR, h.api.url, token], { env: { PYTHONPATH: dir }, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await h?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates nothing from a process that is not world rank zero', async () => {
    expect(py.result.rank1).toBeNull();
    expect((await h.runs.listRuns()).map((r) => r.name)).toEqual(['hf-standin']);
  });

  it("sends the effective batch size and TrainerState's whole epoch count, not a fractional num_train_epochs", async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    expect(run.meta).toMatchObject({ framework: 'transformers', config: { learningRate: 3e-5, batchSize: 8 * 4 * 2, epochs: 1 } });
    expect(run.status).toBe('finished');
  });

  it('keeps learning curves (NaN and Inf as gaps in the data), drops speed figures and the closing summary log', async () => {
    const run = (await h.runs.getRun(py.result.id))!;
    expect(run.series.map((s) => s.name).sort()).toEqual(['eval_accuracy', 'eval_loss', 'grad_norm', 'learning_rate', 'loss']);
    const loss = seriesNamed(run, 'loss');
    expect([...loss.steps]).toEqual([10, 20]);
    expect([...loss.epochs!]).toEqual([0.5, 1]);
    expect(loss.values[0]).toBe(2.25);
    expect(Number.isNaN(loss.values[1])).toBe(true);
    expect(Number.isNaN(seriesNamed(run, 'grad_norm').values[1])).toBe(true);
    expect([...seriesNamed(run, 'eval_loss').values]).toEqual([2.5]);
    expect(run.points).toBe(3 + 2 + 2);
  });
});
