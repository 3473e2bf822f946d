/**
 * Interop with the real writers: Python's tensorboardX (simple_value scalars, add_scalars folders, histograms,
 * text) and the tensorboard package's own EventFileWriter with TF2-style tensor scalars (float32 in float_val and in
 * tensor_content, float64, float16; the `scalars` plugin name on the first value of each tag only). Runs where python3
 * has tensorboardX, tensorboard and numpy (CI: `pip install tensorboardX tensorboard`), skips otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLog } from '../../../src/domain/run.ts';
import { isTfeventsFile, parseTfeventsTree } from '../../../src/ingest/tfevents/index.ts';
import { missingPythonModules } from '../../support/python.ts';

// Found without importing them (that alone takes seconds; the test's script imports them anyway).
const available = missingPythonModules('tensorboardX', 'tensorboard', 'numpy').length === 0;
if (!available) console.warn("[runmedic tests] python3 with tensorboardX + tensorboard not found (pip install tensorboardX tensorboard): tfevents interop tests skipped");

const SCRIPT = String.raw`
import json, sys, time
import numpy as np
from tensorboardX import SummaryWriter
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto import types_pb2
from tensorboard.util import tensor_util
from tensorboard.plugins.scalar import metadata as scalar_metadata

root = sys.argv[1]
expected = {}
def note(run, name, step, value):
    expected.setdefault(run, {}).setdefault(name, []).append([step, float(value)])

# PyTorch-style: tensorboardX SummaryWriter, one folder per run, add_scalars folders (<run>/acc/train), a histogram, a text.
w = SummaryWriter(logdir=root + '/runs/exp1')
for i in range(40):
    w.add_scalar('Loss/train', 1.0 / (i + 1), i)
    note('runs/exp1', 'Loss/train', i, np.float32(1.0 / (i + 1)))
    if i % 5 == 4:
        w.add_scalar('Loss/val', 2.0 / (i + 1), i)
        note('runs/exp1', 'Loss/val', i, np.float32(2.0 / (i + 1)))
    w.add_scalars('acc', {'train': i / 40, 'val': i / 50}, i)
    note('runs/exp1', 'acc/train', i, np.float32(i / 40))
    note('runs/exp1', 'acc/val', i, np.float32(i / 50))
w.add_histogram('weights', np.arange(100, dtype=np.float32), 0)
w.add_text('notes', 'hello', 0)
w.close()
time.sleep(0.05)
# The same run restarted from a checkpoint at step 30: TensorBoard replaces steps 30-39 of the first writer.
w = SummaryWriter(logdir=root + '/runs/exp1', filename_suffix='.restart')
expected['runs/exp1']['Loss/train'] = [p for p in expected['runs/exp1']['Loss/train'] if p[0] < 30]
for i in range(30, 45):
    w.add_scalar('Loss/train', 0.5 / (i + 1), i)
    note('runs/exp1', 'Loss/train', i, np.float32(0.5 / (i + 1)))
w.close()

w = SummaryWriter(logdir=root + '/runs/exp2')
for i in range(10):
    w.add_scalar('loss', 3.0 - i * 0.1, i * 100)
    note('runs/exp2', 'loss', i * 100, np.float32(3.0 - i * 0.1))
w.close()

# Keras-style TF2 scalars: tensors, plugin name on the first value of each tag only, train/ and validation/.
for split in ('train', 'validation'):
    fw = EventFileWriter(root + '/keras/' + split)
    for i in range(12):
        x = (1.0 if split == 'train' else 1.5) / (i + 1)
        values = [
            Summary.Value(tag='epoch_loss', tensor=tensor_util.make_tensor_proto(np.array(x, dtype=np.float32))),
            Summary.Value(tag='epoch_accuracy', tensor=TensorProto(dtype=types_pb2.DT_FLOAT, tensor_content=np.float32(1 - x / 2).tobytes())),
            Summary.Value(tag='epoch_mae', tensor=tensor_util.make_tensor_proto(np.array(x / 3, dtype=np.float64))),
            Summary.Value(tag='epoch_rmse', tensor=tensor_util.make_tensor_proto(np.array(x / 4, dtype=np.float16))),
        ]
        if i == 0:
            for v in values:
                v.metadata.CopyFrom(scalar_metadata.create_summary_metadata(display_name='', description=''))
        fw.add_event(Event(wall_time=time.time(), step=i, summary=Summary(value=values)))
        name = split + '/'
        note('keras', name + 'epoch_loss', i, np.float32(x))
        note('keras', name + 'epoch_accuracy', i, np.float32(1 - x / 2))
        note('keras', name + 'epoch_mae', i, np.float64(x / 3))
        note('keras', name + 'epoch_rmse', i, np.float16(x / 4))
    fw.close()

print(json.dumps(expected))
`;

function entriesUnder(root: string): Array<{ path: string; bytes: Uint8Array }> {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = path.join(d, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return walk(root).map((p) => ({ path: path.relative(root, p).split(path.sep).join('/'), bytes: new Uint8Array(readFileSync(p)) }));
}

describe.skipIf(!available)('event files written by the real Python writers', () => {
  let dir = '';
  let expected: Record<string, Record<string, Array<[number, number]>>> = {};
  let logs: RunLog[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-tfevents-'));
    writeFileSync(path.join(dir, 'write.py'), SCRIPT);
    const run = spawnSync('python3', [path.join(dir, 'write.py'), path.join(dir, 'logs')], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) throw new Error(`the Python writer failed: ${run.stderr}`);
    expected = JSON.parse(run.stdout) as typeof expected;
    const entries = entriesUnder(path.join(dir, 'logs'));
    expect(entries.length).toBe(7);
    expect(entries.every((e) => isTfeventsFile(e.bytes))).toBe(true);
    logs = parseTfeventsTree(entries, 'logs');
  }, 180_000); // Python's imports alone can take tens of seconds on a busy 2-core machine.
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the three runs', () => {
    expect(logs.map((l) => l.name)).toEqual(['logs/keras', 'logs/runs/exp1', 'logs/runs/exp2']);
  });

  it('reads every value each writer wrote, at its step', () => {
    for (const log of logs) {
      const run = log.name.replace(/^logs\//, '');
      const got = Object.fromEntries(log.series.map((s) => [s.name, Array.from(s.steps, (st, i) => [st, s.values[i]])]));
      expect(got, run).toEqual(expected[run]);
    }
  });

  it('names the series as a user expects', () => {
    const byName = (run: string) => Object.fromEntries(logs.find((l) => l.name === `logs/${run}`)!.series.map((s) => [s.name, `${s.key}/${s.split}`]));
    expect(byName('runs/exp1')).toEqual({ 'Loss/train': 'loss/train', 'Loss/val': 'loss/val', 'acc/train': 'accuracy/train', 'acc/val': 'accuracy/val' });
    expect(byName('keras')).toEqual({
      'train/epoch_loss': 'loss/train',
      'train/epoch_accuracy': 'accuracy/train',
      'train/epoch_mae': 'mae/train',
      'train/epoch_rmse': 'rmse/train',
      'validation/epoch_loss': 'loss/val',
      'validation/epoch_accuracy': 'accuracy/val',
      'validation/epoch_mae': 'mae/val',
      'validation/epoch_rmse': 'rmse/val',
    });
  });

  it('notes the restart, the histogram and the text it skipped', () => {
    const notes = logs.find((l) => l.name === 'logs/runs/exp1')!.notes.join('\n');
    expect(notes).toMatch(/Loss\/train: a later event file restarts at step 30; 10 earlier points/);
    expect(notes).toMatch(/histograms: 1/);
    expect(notes).toMatch(/text summaries: 1/);
  });
});

// torch.utils.tensorboard (PyTorch's own SummaryWriter): checked where torch is installed (find_spec does not import it).
const torchAvailable = missingPythonModules('torch', 'tensorboard').length === 0;
if (!torchAvailable) console.warn('[runmedic tests] python3 with torch + tensorboard not found: the torch.utils.tensorboard interop test is skipped');

const TORCH_SCRIPT = String.raw`
import json, sys
import numpy as np
from torch.utils.tensorboard import SummaryWriter
root = sys.argv[1]
exp = {}
def note(name, step, value):
    exp.setdefault(name, []).append([step, float(value)])
w = SummaryWriter(root + '/runs/simple_lr')
for i in range(20):
    w.add_scalar('Loss/train', 1 / (i + 1), i)
    note('Loss/train', i, np.float32(1 / (i + 1)))
    w.add_scalar('lr', 0.1 * 0.9 ** i, i, new_style=True)
    note('lr', i, np.float32(0.1 * 0.9 ** i))
    w.add_scalar('grad_norm', 5.0 / (i + 1), i, new_style=True, double_precision=True)
    note('grad_norm', i, np.float64(5.0 / (i + 1)))
    w.add_scalars('loss', {'training': 1 / (i + 1), 'validation': 1.5 / (i + 1)}, i)
    note('loss_training', i, np.float32(1 / (i + 1)))
    note('loss_validation', i, np.float32(1.5 / (i + 1)))
w.add_histogram('weights', np.arange(10, dtype=np.float32), 0)
w.add_hparams({'lr': 0.1, 'batch_size': 32, 'optimizer': 'sgd'}, {'hparam/accuracy': 0.875})
w.close()
print(json.dumps(exp))
`;

describe.skipIf(!torchAvailable)('event files written by torch.utils.tensorboard', () => {
  it('reads simple and new-style scalars, add_scalars folders and add_hparams into one run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-torch-'));
    try {
      writeFileSync(path.join(dir, 'write.py'), TORCH_SCRIPT);
      const run = spawnSync('python3', [path.join(dir, 'write.py'), path.join(dir, 'logs')], { encoding: 'utf8', timeout: 180_000 });
      if (run.status !== 0) throw new Error(`torch writer failed: ${run.stderr}`);
      const expected = JSON.parse(run.stdout) as Record<string, Array<[number, number]>>;
      const logs = parseTfeventsTree(entriesUnder(path.join(dir, 'logs')), 'logs');
      expect(logs.map((l) => l.name)).toEqual(['logs/runs/simple_lr']);
      const [log] = logs;
      expect(Object.fromEntries(log.series.map((s) => [s.name, Array.from(s.steps, (st, i) => [st, s.values[i]])]))).toEqual(expected);
      expect(Object.fromEntries(log.series.map((s) => [s.name, `${s.key}/${s.split}`]))).toEqual({
        'Loss/train': 'loss/train',
        lr: 'lr/train',
        grad_norm: 'grad_norm/train',
        loss_training: 'loss/train',
        loss_validation: 'loss/val',
      });
      expect(log.meta).toMatchObject({ hparams: { lr: 0.1, batch_size: 32, optimizer: 'sgd' }, hparamMetrics: { 'hparam/accuracy': 0.875 } });
      expect(log.notes.join('\n')).toMatch(/histograms: 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000); // importing torch is slow
});
