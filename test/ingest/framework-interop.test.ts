/**
 * Interop with the real frameworks: a real Keras `CSVLogger` and `TensorBoard` callback, and a real Lightning
 * `CSVLogger`, each on a tiny model trained for a few epochs in a temp dir. The values the framework itself reports
 * (Keras' History, the numbers the LightningModule logged) must be what runmedic reads back from the files.
 * Runs where `python3` has the package (CI: pip install tensorflow-cpu lightning), skips with a notice otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEntries, parseFile } from '../../src/ingest/index.ts';
import { readTree } from '../../src/app/ingest-files.ts';
import { missingPythonModules } from '../support/python.ts';

/** Found without importing them (`import keras` alone takes seconds; the test's script imports them anyway). */
function hasPython(...modules: string[]): boolean {
  const missing = missingPythonModules(...modules);
  if (missing.length) console.warn(`[runmedic tests] python3 lacks ${missing.join(', ')} (pip install ${modules.includes('keras') ? 'tensorflow-cpu' : modules.at(-1)}): its interop test is skipped`);
  return missing.length === 0;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runPython(script: string): { dir: string; expected: Record<string, number[]> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-interop-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'train.py'), script);
  const r = spawnSync('python3', [path.join(dir, 'train.py'), dir], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', PYTHONHASHSEED: '0' },
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { dir, expected: JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, number[]> };
}

function expectClose(actual: Float64Array, expected: number[], relTol: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(relTol * Math.max(1e-12, Math.abs(v))));
}

const KERAS_SCRIPT = String.raw`
import json, sys, os
import numpy as np
import keras
root = sys.argv[1]
keras.utils.set_random_seed(1)
x = np.random.RandomState(0).normal(size=(256, 8)).astype('float32')
y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype('int32')
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(2, activation='softmax')])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
h = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.25, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(os.path.join(root, 'training.log')),
                         keras.callbacks.TensorBoard(log_dir=os.path.join(root, 'tb'))])
json.dump({k: [float(v) for v in vs] for k, vs in h.history.items()}, open(os.path.join(root, 'expected.json'), 'w'))
`;

const LIGHTNING_SCRIPT = String.raw`
import json, sys, os, warnings
warnings.filterwarnings('ignore')
import torch
import lightning as L
from lightning.pytorch.loggers import CSVLogger
root = sys.argv[1]
L.seed_everything(1, verbose=False)
x = torch.randn(128, 4)
y = (x[:, 0] > 0).long()
class M(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Linear(4, 2)
        self.val_losses = []
    def training_step(self, batch, i):
        loss = torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])
        self.log('train_loss', loss, on_step=True, on_epoch=True)
        return loss
    def validation_step(self, batch, i):
        loss = torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])
        self.log('val_loss', loss)
        if not self.trainer.sanity_checking:
            self.val_losses.append(float(loss))
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.5)
ds = torch.utils.data.TensorDataset(x, y)
train = torch.utils.data.DataLoader(ds, batch_size=32)
val = torch.utils.data.DataLoader(ds, batch_size=128)
m = M()
t = L.Trainer(max_epochs=4, logger=CSVLogger(root, name='lit'), enable_progress_bar=False, enable_model_summary=False,
              enable_checkpointing=False, log_every_n_steps=1, accelerator='cpu', num_sanity_val_steps=0)
t.fit(m, train, val)
json.dump({'val_loss': m.val_losses, 'steps': [t.global_step]}, open(os.path.join(root, 'expected.json'), 'w'))
`;
import { seriesNamed as seriesByName } from '../support/ingest-helpers.ts';

describe.skipIf(!hasPython('tensorflow', 'keras'))('a real Keras CSVLogger and TensorBoard callback', () => {
  it('reads back the History values from training.log and from the TensorBoard log dir', () => {
    const { dir, expected } = runPython(KERAS_SCRIPT);
    const bytes = readFileSync(path.join(dir, 'training.log'));
    const [csv, ...more] = parseFile(bytes, 'training.log');
    expect(more).toHaveLength(0);
    expect(csv!.format).toBe('keras_csv');
    for (const name of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      // CSVLogger writes Python's repr of the float: read back exactly, up to the double's last digit.
      expectClose(seriesByName(csv!, name).values, expected[name]!, 1e-12);
    }
    expect(seriesByName(csv!, 'val_loss').split).toBe('val');
    expect(Array.from(seriesByName(csv!, 'loss').steps)).toEqual([0, 1, 2, 3, 4, 5]);

    const runs = parseEntries(readTree(path.join(dir, 'tb'), 64 * 2 ** 20), 'tb');
    expect(runs).toHaveLength(1);
    const tb = runs[0]!;
    expect(tb.format).toBe('tfevents');
    const trainLoss = tb.series.find((s) => s.key === 'loss' && s.split === 'train');
    const valLoss = tb.series.find((s) => s.key === 'loss' && s.split === 'val');
    const valAcc = tb.series.find((s) => s.key === 'accuracy' && s.split === 'val');
    expect(trainLoss && valLoss && valAcc).toBeTruthy();
    // TensorBoard stores float32 scalars.
    expectClose(trainLoss!.values, expected.loss!, 1e-6);
    expectClose(valLoss!.values, expected.val_loss!, 1e-6);
    expectClose(valAcc!.values, expected.val_accuracy!, 1e-6);
  }, 300_000);
});

describe.skipIf(!hasPython('torch', 'lightning'))('a real Lightning CSVLogger', () => {
  it('reads back the logged per-epoch val_loss and the step-level train_loss from metrics.csv', () => {
    const { dir, expected } = runPython(LIGHTNING_SCRIPT);
    const file = path.join(dir, 'lit', 'version_0', 'metrics.csv');
    const [log, ...more] = parseFile(readFileSync(file), 'metrics.csv');
    expect(more).toHaveLength(0);
    expect(log!.format).toBe('lightning_csv');
    const val = log!.series.find((s) => s.key === 'loss' && s.split === 'val')!;
    expect(val.cadence).toBe('epoch');
    expectClose(val.values, expected.val_loss!, 1e-6);
    const trainStep = log!.series.find((s) => s.name === 'train_loss_step')!;
    expect(trainStep.cadence).toBe('step');
    // 4 epochs × 4 batches of 32, logged every step.
    expect(trainStep.values.length).toBe(expected.steps![0]);
    const trainEpoch = log!.series.find((s) => s.name === 'train_loss_epoch')!;
    expect(trainEpoch.values.length).toBe(4);
  }, 300_000);
});
