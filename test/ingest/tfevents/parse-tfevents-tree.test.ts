import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../../src/domain/run.ts';
import type { FileEntry } from '../../../src/ingest/entries.ts';
import { IngestError } from '../../../src/ingest/ingest-error.ts';
import { countEpochs } from '../../../src/domain/epochs.ts';
import { isTfeventsFile, parseTfeventsTree } from '../../../src/ingest/tfevents/index.ts';
import protobuf from 'protobufjs';
import { REAL_LOGS_DIR, REPO_ROOT } from '../../support/real-logs.ts';
import { eventFile, simpleScalar, tf2Scalar, type EventSpec } from '../../support/tfevents-writer.ts';

function entriesUnder(root: string): FileEntry[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = path.join(d, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return walk(root)
    .map((p) => ({ path: path.relative(root, p).split(path.sep).join('/'), bytes: new Uint8Array(readFileSync(p)) }))
    .filter((e) => isTfeventsFile(e.bytes));
}

function find(log: RunLog, key: string, split: string): Series {
  const s = log.series.filter((x) => x.key === key && x.split === split);
  expect(s, `${key}/${split} in ${log.series.map((x) => `${x.key}/${x.split}`).join(', ')}`).toHaveLength(1);
  return s[0];
}

function ends(s: Series): [number, number, number, number, number] {
  return [s.values.length, s.steps[0], s.values[0], s.steps[s.steps.length - 1], s.values[s.values.length - 1]];
}

function scalarFile(tag: string, steps: number[], value: (step: number) => number, wall = 1000, kind: 'simple' | 'tf2' = 'simple'): Uint8Array {
  return eventFile(
    steps.map((step, i): EventSpec => ({
      wallTime: wall + i,
      step,
      values: [kind === 'simple' ? simpleScalar(tag, value(step)) : tf2Scalar(tag, value(step), i === 0)],
    })),
    { wallTime: wall - 1 },
  );
}

const HParamsPluginData = protobuf
  .loadSync(path.join(REPO_ROOT, 'src/ingest/tfevents/proto/hparams_plugin_data.proto'))
  .lookupType('tensorboard.hparams.HParamsPluginData');

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

// Expected figures were read independently with the tensorboard 2.21 Python package (LegacyEventFileLoader +
// tensor_util.make_ndarray), and agree with ../shared/real-logs/tfevents/SOURCES.tsv.
describe.skipIf(REAL_LOGS_DIR === null)('real event files (../shared/real-logs/tfevents)', () => {
  const dir = (sub: string) => path.join(REAL_LOGS_DIR ?? '', 'tfevents', sub);

  it('01 Keras TF2 callback: train/ and validation/ are one run with both splits, tensor scalars per epoch', () => {
    const logs = parseTfeventsTree(entriesUnder(dir('01_keras_tf2')), '01_keras_tf2');
    expect(logs).toHaveLength(1);
    const [log] = logs;
    expect(log.name).toBe('01_keras_tf2');
    expect(log.format).toBe('tfevents');
    expect(log.series.map((s) => `${s.split}:${s.key}`).sort()).toEqual(
      ['train:loss', 'train:euclidean', 'train:cosine_similarity', 'val:loss', 'val:euclidean', 'val:cosine_similarity'].sort(),
    );
    const trainLoss = find(log, 'loss', 'train');
    expect(trainLoss.name).toBe('train/epoch_loss');
    expect(trainLoss.cadence).toBe('epoch');
    expect(ends(trainLoss)).toEqual([1000, 0, 2.1815621852874756, 999, 0.06371122598648071]);
    const valLoss = find(log, 'loss', 'val');
    expect(valLoss.name).toBe('validation/epoch_loss');
    expect(ends(valLoss)).toEqual([1000, 0, 2.3374407291412354, 999, 0.06530080735683441]);
    let min = Infinity;
    let at = -1;
    valLoss.values.forEach((v, i) => v < min && ((min = v), (at = valLoss.steps[i])));
    expect([+min.toFixed(3), at]).toEqual([0.061, 825]);
    expect(ends(find(log, 'euclidean', 'train'))).toEqual([1000, 0, 6.691004753112793, 999, 1.2274309396743774]);
    expect(ends(find(log, 'cosine_similarity', 'val'))).toEqual([1000, 0, 0.5557577013969421, 999, 0.9904206395149231]);
    expect(countEpochs(log.series)).toBe(1000);
    expect(log.notes.join('\n')).toMatch(/validation\/evaluation_loss_vs_iterations, .*: the same values as the matching epoch_\* tags/);
    expect(log.notes.join('\n')).toMatch(/not scalars, skipped: graphs: 1/);
  });

  it('02 PyTorch add_scalars: loss_training/ and loss_validation/ join the run of their parent folder', () => {
    const logs = parseTfeventsTree(entriesUnder(dir('02_pytorch_summarywriter')), 'simple_lr');
    expect(logs).toHaveLength(1);
    const [log] = logs;
    expect(log.series).toHaveLength(2);
    const train = find(log, 'loss', 'train');
    expect(train.name).toBe('loss_training');
    expect(ends(train)).toEqual([1000, 0, 0.340443879365921, 999, 0.007407197263091803]);
    expect(ends(find(log, 'loss', 'val'))).toEqual([1000, 0, 0.13796508312225342, 999, 0.008106952533125877]);
    expect(log.notes.join('\n')).toMatch(/graphs: 1, run metadata: 1/);
  });

  it('03 Lightning: version_0 is a run; its epoch scalar becomes the epoch axis; the hp_metric placeholder is dropped', () => {
    const logs = parseTfeventsTree(entriesUnder(dir('03_lightning')), '03_lightning');
    expect(logs.map((l) => l.name)).toEqual(['03_lightning/lightning_logs/version_0']);
    const [log] = logs;
    expect(log.series).toHaveLength(18);
    expect(log.series.filter((s) => s.split === 'train').every((s) => s.values.length === 51)).toBe(true);
    expect(log.series.filter((s) => s.split === 'val').every((s) => s.values.length === 10)).toBe(true);
    const train = find(log, 'loss', 'train');
    expect(ends(train)).toEqual([51, 15, 15890.4970703125, 815, 1859.402099609375]);
    expect([train.epochs![0], train.epochs![50]]).toEqual([0, 50]);
    const val = find(log, 'loss', 'val');
    expect(ends(val)).toEqual([10, 79, 8511.3232421875, 799, 4325.4697265625]);
    expect(Math.min(...val.values)).toBeCloseTo(4211, 0);
    expect(val.steps[val.values.indexOf(Math.min(...val.values))]).toBe(639);
    expect(find(log, 'recon_mse', 'val').values[0]).toBe(0.20773036777973175);
    expect(log.series.some((s) => s.name === 'epoch' || s.name === 'hp_metric')).toBe(false);
    expect(countEpochs(log.series)).toBe(51);
    expect(log.meta?.writer).toBe('tensorboard.summary.writer.event_file_writer');
    expect(log.meta?.hparams).toMatchObject({ lr: 0.001, z_dim: 32, kl_beta: 0.7, posterior_type: 'diag', compile_kwargs: 'None' });
    expect(log.notes.join('\n')).toMatch(/hyperparameters found \(19\): .*lr=0\.001/);
  });

  it('04 tensorboardX: simple_value scalars, repeated steps kept', () => {
    const [log] = parseTfeventsTree(entriesUnder(dir('04_tensorboardx')), 'mnist');
    expect(log.series).toHaveLength(2);
    const loss = log.series.find((s) => s.name === 'batch_loss')!;
    expect(ends(loss)).toEqual([30, 0, 2.3002872467041016, 9, 1.7011725902557373]);
    expect(ends(log.series.find((s) => s.name === 'Average')!)).toEqual([30, 0, 0.29789999127388, 9, 0.7847999930381775]);
  });

  it('05 TF1 FileWriter: name-scoped tags cost/cost and accuracy/accuracy', () => {
    const [log] = parseTfeventsTree(entriesUnder(dir('05_tf1_filewriter')), 'nn_logs');
    const cost = find(log, 'loss', 'train');
    expect(cost.name).toBe('cost/cost');
    expect(ends(cost)).toEqual([999, 0, 2.0249805450439453, 998, 0.2887570559978485]);
    const acc = find(log, 'accuracy', 'train');
    expect(acc.direction).toBe('higher');
    expect(ends(acc)).toEqual([999, 0, 0.2971999943256378, 998, 0.9157000184059143]);
    expect(log.notes.join('\n')).toMatch(/graphs: 1, meta graphs: 1/);
  });

  it('the whole folder: one run per writer layout, the graph-only file folded into its run', () => {
    const logs = parseTfeventsTree(entriesUnder(dir('')), 'tfevents');
    expect(logs.map((l) => l.name)).toEqual([
      'tfevents/01_keras_tf2',
      'tfevents/02_pytorch_summarywriter',
      'tfevents/03_lightning/lightning_logs/version_0',
      'tfevents/04_tensorboardx',
      'tfevents/05_tf1_filewriter',
    ]);
    expect(logs.map((l) => l.series.length)).toEqual([6, 2, 18, 2, 2]);
  });

  it('a file with no scalars alone is an IngestError that says what it holds', () => {
    const file = entriesUnder(dir('02_pytorch_summarywriter')).filter((e) => !e.path.includes('/'));
    expect(file).toHaveLength(1);
    expect(() => parseTfeventsTree(file, file[0].path)).toThrow(IngestError);
    expect(() => parseTfeventsTree(file, file[0].path)).toThrow(/no scalar summaries in 1 event file: .*graphs: 1/);
  });
});

describe('layouts', () => {
  it('PyTorch runs/<name>/ and Lightning version_N/ folders are separate runs', () => {
    const f = (v: number) => scalarFile('Loss/train', [0, 1, 2], (s) => v + s);
    const logs = parseTfeventsTree(
      [
        { path: 'runs/exp_a/events.out.tfevents.1.host.1.0', bytes: f(1) },
        { path: 'runs/exp_b/events.out.tfevents.2.host.2.0', bytes: f(10) },
        { path: 'lightning_logs/version_0/events.out.tfevents.3.host.3.0', bytes: f(20) },
        { path: 'lightning_logs/version_1/events.out.tfevents.4.host.4.0', bytes: f(30) },
      ],
      'logs',
    );
    expect(logs.map((l) => l.name)).toEqual(['logs/lightning_logs/version_0', 'logs/lightning_logs/version_1', 'logs/runs/exp_a', 'logs/runs/exp_b']);
    expect(logs.map((l) => find(l, 'loss', 'train').values[0])).toEqual([20, 30, 1, 10]);
  });

  it('a run folder that happens to be called "test" stays a run', () => {
    const logs = parseTfeventsTree(
      [
        { path: 'runs/test/events.out.tfevents.1', bytes: scalarFile('loss', [0, 1], () => 1) },
        { path: 'runs/baseline/events.out.tfevents.2', bytes: scalarFile('loss', [0, 1], () => 2) },
      ],
      'r',
    );
    expect(logs.map((l) => [l.name, l.series[0].split])).toEqual([
      ['r/runs/baseline', 'train'],
      ['r/runs/test', 'train'],
    ]);
  });

  it('Keras train/ alone (no validation data) is a run with a train split', () => {
    const [log] = parseTfeventsTree([{ path: 'fit/20240101/train/events.out.tfevents.1.v2', bytes: scalarFile('epoch_accuracy', [0, 1, 2], (s) => 0.5 + s / 10, 1, 'tf2') }], 'logs');
    expect(log.name).toBe('logs/fit/20240101');
    const acc = find(log, 'accuracy', 'train');
    expect(acc.name).toBe('train/epoch_accuracy');
    expect(acc.cadence).toBe('epoch');
    expect(Array.from(acc.epochs!)).toEqual([0, 1, 2]);
  });

  it('Keras batch-level logging (update_freq="batch"): batch_loss in train/ is the training loss per step, beside epoch_loss per epoch', () => {
    const [log] = parseTfeventsTree(
      [
        { path: 'train/events.out.tfevents.1.v2', bytes: eventFile([0, 1, 2].map((i) => ({ wallTime: i + 1, step: i, values: [tf2Scalar('batch_loss', 3 - i, i === 0), tf2Scalar('epoch_loss', 3 - i, i === 0)] }))) },
        { path: 'validation/events.out.tfevents.2.v2', bytes: scalarFile('epoch_loss', [0, 1, 2], (s) => 4 - s, 1, 'tf2') },
      ],
      'fit',
    );
    expect(Object.fromEntries(log.series.map((s) => [s.name, `${s.key}/${s.split}/${s.cadence}`]))).toEqual({
      'train/batch_loss': 'loss/train/step',
      'train/epoch_loss': 'loss/train/epoch',
      'validation/epoch_loss': 'loss/val/epoch',
    });
  });

  it('tf.estimator: event files in the model folder plus eval/ make one run, eval as validation', () => {
    const logs = parseTfeventsTree(
      [
        { path: 'events.out.tfevents.1', bytes: scalarFile('loss', [100, 200, 300], (s) => 1 / s) },
        { path: 'eval/events.out.tfevents.2', bytes: scalarFile('loss', [100, 300], (s) => 2 / s, 5000) },
      ],
      'model_dir',
    );
    expect(logs).toHaveLength(1);
    expect(find(logs[0], 'loss', 'train').values.length).toBe(3);
    expect(find(logs[0], 'loss', 'val').name).toBe('eval/loss');
  });

  it('add_scalars with a main tag holding a slash: Loss/epoch → Loss_epoch_train/, Loss_epoch_val/', () => {
    const [log] = parseTfeventsTree(
      [
        { path: 'run1/events.out.tfevents.1', bytes: scalarFile('lr', [0, 1], () => 0.1) },
        { path: 'run1/Loss_epoch_train/events.out.tfevents.2', bytes: scalarFile('Loss/epoch', [0, 1], () => 1) },
        { path: 'run1/Loss_epoch_val/events.out.tfevents.3', bytes: scalarFile('Loss/epoch', [0, 1], () => 2) },
      ],
      'runs',
    );
    expect(log.name).toBe('runs/run1');
    expect(log.series.map((s) => `${s.name}=${s.key}/${s.split}`).sort()).toEqual(['Loss_epoch_train=loss/train', 'Loss_epoch_val=loss/val', 'lr=lr/train']);
  });

  it('tensorboardX add_scalars: <run>/<main_tag>/<key>/ folders join <run>, even where the key is a split name', () => {
    const logs = parseTfeventsTree(
      [
        { path: 'runs/exp1/events.out.tfevents.1', bytes: scalarFile('lr', [0, 1], () => 0.1) },
        { path: 'runs/exp1/acc/train/events.out.tfevents.2', bytes: scalarFile('acc', [0, 1], () => 0.5) },
        { path: 'runs/exp1/acc/val/events.out.tfevents.3', bytes: scalarFile('acc', [0, 1], () => 0.4) },
        { path: 'runs/exp1/Loss/epoch/val/events.out.tfevents.4', bytes: scalarFile('Loss/epoch', [0, 1], () => 2) },
      ],
      'logs',
    );
    expect(logs.map((l) => l.name)).toEqual(['logs/runs/exp1']);
    expect(logs[0].series.map((s) => `${s.name}=${s.key}/${s.split}`).sort()).toEqual([
      'Loss/epoch/val=loss/val',
      'acc/train=accuracy/train',
      'acc/val=accuracy/val',
      'lr=lr/train',
    ]);
  });

  it("PyTorch add_hparams: the <run>/<unix time>/ folder gives the run its hyperparameters and final metrics, not a run", () => {
    const content = HParamsPluginData.encode(
      HParamsPluginData.fromObject({ version: 0, sessionStartInfo: { hparams: { lr: { numberValue: 0.1 }, optimizer: { stringValue: 'adam' }, amp: { boolValue: true } } } }),
    ).finish();
    const hp = eventFile([
      { wallTime: 50, values: [{ tag: '_hparams_/session_start_info', pluginName: 'hparams', pluginContent: content }] },
      { wallTime: 51, values: [simpleScalar('hparam/accuracy', 0.75)] },
    ]);
    const logs = parseTfeventsTree(
      [
        { path: 'runs/simple/events.out.tfevents.1', bytes: scalarFile('Loss/train', [0, 1], () => 1, 10) },
        { path: 'runs/simple/1795800096.9485068/events.out.tfevents.2', bytes: hp },
      ],
      'r',
    );
    expect(logs.map((l) => l.name)).toEqual(['r/runs/simple']);
    expect(logs[0].series.map((s) => s.name)).toEqual(['Loss/train']);
    expect(logs[0].meta).toMatchObject({ hparams: { lr: 0.1, optimizer: 'adam', amp: true }, hparamMetrics: { 'hparam/accuracy': 0.75 } });
    expect(logs[0].notes.join('\n')).toMatch(/add_hparams metrics \(final figures, not series\): hparam\/accuracy=0\.75/);
  });

  it('maps the usual tag names', () => {
    const tags = ['Loss/train', 'loss/val', 'val_acc', 'epoch_accuracy', 'train/accuracy', 'learning_rate', 'test_loss'];
    const file = eventFile(range(0, 3).map((i) => ({ wallTime: i + 1, step: i, values: tags.map((t) => simpleScalar(t, 0.5)) })));
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: file }], 'run');
    expect(Object.fromEntries(log.series.map((s) => [s.name, `${s.key}/${s.split}/${s.cadence}`]))).toEqual({
      'Loss/train': 'loss/train/step',
      'loss/val': 'loss/val/step',
      val_acc: 'accuracy/val/step',
      epoch_accuracy: 'accuracy/train/epoch',
      'train/accuracy': 'accuracy/train/step',
      learning_rate: 'lr/train/step',
      test_loss: 'loss/test/step',
    });
  });

  it('scales percent accuracy like every other format', () => {
    const [log] = parseTfeventsTree([{ path: 'e', bytes: scalarFile('val_acc', [0, 1], (s) => 50 + s * 30) }], 'r');
    expect(Array.from(find(log, 'accuracy', 'val').values)).toEqual([0.5, 0.8]);
  });
});

describe('several files of one run', () => {
  it('merges them in wall-time order, whatever order they come in, and drops points a restart replaced', () => {
    const first = scalarFile('loss', range(0, 10), (s) => 100 + s, 1000);
    const second = scalarFile('loss', range(6, 12), (s) => 200 + s, 2000);
    const [log] = parseTfeventsTree(
      [
        { path: 'run/events.out.tfevents.2000.host.1.0', bytes: second },
        { path: 'run/events.out.tfevents.1000.host.1.0', bytes: first },
      ],
      'r',
    );
    const loss = find(log, 'loss', 'train');
    expect(Array.from(loss.steps)).toEqual(range(0, 12));
    expect(Array.from(loss.values)).toEqual([100, 101, 102, 103, 104, 105, 206, 207, 208, 209, 210, 211]);
    expect(log.notes.join('\n')).toMatch(/loss: a later event file restarts at step 6; 4 earlier points/);
    expect(log.notes.join('\n')).toMatch(/2 event files in run\/ \(a restarted writer\) merged in wall-time order/);
  });

  it('appends a continuation without dropping anything', () => {
    const [log] = parseTfeventsTree(
      [
        { path: 'events.out.tfevents.1', bytes: scalarFile('loss', range(0, 5), (s) => s, 10) },
        { path: 'events.out.tfevents.2', bytes: scalarFile('loss', range(5, 9), (s) => s, 20) },
      ],
      'r',
    );
    expect(Array.from(find(log, 'loss', 'train').values)).toEqual(range(0, 9));
    expect(log.notes.join('\n')).not.toMatch(/restarts/);
  });
});

describe('damaged files', () => {
  it('notes a truncated last record and bad payload CRCs in the run', () => {
    const whole = scalarFile('loss', range(0, 20), (s) => s);
    const cut = whole.slice(0, whole.length - 5);
    cut[60] ^= 0xff; // inside the payload of an early record
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: cut }], 'r');
    const notes = log.notes.join('\n');
    expect(notes).toMatch(/events\.out\.tfevents\.1: the last record \(from byte \d+ of \d+\) is incomplete/);
    expect(notes).toMatch(/1 record\(s\) with a bad payload CRC skipped \(first at byte \d+\)/);
    expect(find(log, 'loss', 'train').values.length).toBe(18);
  });

  it('a bad length CRC fails the whole tree with the file and the byte offset', () => {
    const bad = scalarFile('loss', range(0, 5), (s) => s);
    const second = 16 + new DataView(bad.buffer).getUint32(0, true);
    bad[second + 8] ^= 0x10; // the length CRC of the second record
    const good = scalarFile('loss', range(0, 5), (s) => s);
    let error: unknown;
    try {
      parseTfeventsTree([{ path: 'a/events.out.tfevents.1', bytes: good }, { path: 'b/events.out.tfevents.2', bytes: bad }], 'r');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).file).toBe('r/b/events.out.tfevents.2');
    expect((error as IngestError).message).toContain(`bad length CRC at byte ${second}`);
  });

  it('a run without scalars next to runs with scalars is mentioned, not returned', () => {
    const graphOnly = eventFile([{ wallTime: 5, graphDef: new Uint8Array(8) }]);
    const logs = parseTfeventsTree(
      [
        { path: 'a/events.out.tfevents.1', bytes: graphOnly },
        { path: 'b/events.out.tfevents.2', bytes: scalarFile('loss', [0], () => 1) },
      ],
      'r',
    );
    expect(logs.map((l) => l.name)).toEqual(['r/b']);
    expect(logs[0].notes.join('\n')).toMatch(/event files without scalars, not made into runs: a \(graphs: 1/);
  });
});

describe('one epoch axis for per-step and per-epoch tags', () => {
  it('a PyTorch loop that logs the batch loss at the global step and validation at the epoch number reads on one epoch axis', () => {
    // 9 epochs of 8 batches: Loss/train_step at steps 1…72, Loss/val and Loss/train at epochs 1…9.
    const events: EventSpec[] = [];
    for (let s = 1; s <= 72; s++) events.push({ wallTime: s, step: s, values: [simpleScalar('Loss/train_step', 2 / Math.sqrt(s))] });
    for (let e = 1; e <= 9; e++) events.push({ wallTime: 100 + e, step: e, values: [simpleScalar('Loss/val', 1 / e), simpleScalar('Loss/train', 1.1 / e)] });
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: eventFile(events) }], 'run');
    const step = log.series.find((s) => s.name === 'Loss/train_step')!;
    const val = find(log, 'loss', 'val');
    expect(val.cadence).toBe('epoch');
    expect(Array.from(val.epochs!)).toEqual(range(1, 10));
    // The last batch of epoch 1 is at epoch 1.0, the first a fraction after 0.
    expect(step.epochs![7]).toBeCloseTo(1, 10);
    expect(step.epochs![0]).toBeCloseTo(0.125, 10);
    expect(step.epochs![71]).toBeCloseTo(9, 10);
    expect(log.notes.join(' ')).toMatch(/one epoch axis \(8 steps per epoch\)/);
  });
  it('Keras: batch_loss and batch_accuracy at the global step beside epoch_* at 0, 1, …: both step series get the epoch axis', () => {
    // 6 epochs of 10 batches; two step-level series of the same length must not be taken for per-epoch ones.
    const events: EventSpec[] = [];
    for (let s = 1; s <= 60; s++) events.push({ wallTime: s, step: s, values: [simpleScalar('batch_loss', 2 / Math.sqrt(s)), simpleScalar('batch_accuracy', 1 - 1 / s)] });
    for (let e = 0; e < 6; e++) events.push({ wallTime: 100 + e, step: e, values: [simpleScalar('epoch_loss', 1 / (e + 1))] });
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: eventFile(events) }], 'run');
    for (const name of ['batch_loss', 'batch_accuracy']) {
      const s = log.series.find((x) => x.name === name)!;
      expect(s.cadence).toBe('step');
      // 0-based epochs: the first epoch's last batch at 0, the last batch of the run at 5.
      expect(s.epochs![9]).toBeCloseTo(0, 10);
      expect(s.epochs![59]).toBeCloseTo(5, 10);
    }
  });

  it('Keras update_freq=k: batch values every k steps (fewer points than 3 per epoch) still get the epoch axis', () => {
    // 14 epochs of 16 batches, a batch value every 8 steps: 28 batch points beside 14 epoch points. Read on two axes,
    // the validation of epoch 9 sat beside batch step 9 (the first epoch's accuracy) and passed for label noise.
    const events: EventSpec[] = [];
    for (let s = 8; s <= 224; s += 8) events.push({ wallTime: s, step: s, values: [simpleScalar('batch_loss', 2 / Math.sqrt(s)), simpleScalar('batch_accuracy', 1 - 1 / s)] });
    for (let e = 0; e < 14; e++) events.push({ wallTime: 1000 + e, step: e, values: [simpleScalar('epoch_loss', 1 / (e + 1)), simpleScalar('epoch_accuracy', 1 - 0.1 / (e + 1))] });
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: eventFile(events) }], 'run');
    const batch = log.series.find((x) => x.name === 'batch_accuracy')!;
    expect(batch.cadence).toBe('step');
    // Step 16 ends the first epoch (0-based 0), step 224 the last (13).
    expect(batch.epochs![1]).toBeCloseTo(0, 10);
    expect(batch.epochs![27]).toBeCloseTo(13, 10);
    expect(log.series.find((x) => x.name === 'epoch_accuracy')!.cadence).toBe('epoch');
    expect(log.notes.join(' ')).toMatch(/one epoch axis \(16 steps per epoch\)/);
  });

  it('a loop that logs validation at the global step of each epoch end (P, 2P, …) gives the step loss epochs of P steps', () => {
    const events: EventSpec[] = [];
    for (let s = 1; s <= 47 * 5; s++) events.push({ wallTime: s, step: s, values: [simpleScalar('train/loss', 1 / s)] });
    for (let e = 1; e <= 5; e++) events.push({ wallTime: 1000 + e, step: 47 * e, values: [simpleScalar('val/loss', 1 / e)] });
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: eventFile(events) }], 'run');
    const val = find(log, 'loss', 'val');
    expect(val.cadence).toBe('epoch');
    expect(Array.from(val.epochs!)).toEqual([1, 2, 3, 4, 5]);
    const train = find(log, 'loss', 'train');
    expect(train.epochs![46]).toBeCloseTo(1, 10);
    expect(train.epochs![47]).toBeCloseTo(48 / 47, 10);
    expect(log.notes.join(' ')).toMatch(/every 47 steps from step 47: read as once per epoch/);
  });

  it('evaluations every 50 steps from step 100 are not taken for epoch ends', () => {
    const events: EventSpec[] = [];
    for (let s = 1; s <= 300; s++) events.push({ wallTime: s, step: s, values: [simpleScalar('train/loss', 1 / s)] });
    for (let k = 2; k <= 6; k++) events.push({ wallTime: 1000 + k, step: 50 * k, values: [simpleScalar('val/loss', 1 / k)] });
    const [log] = parseTfeventsTree([{ path: 'events.out.tfevents.1', bytes: eventFile(events) }], 'run');
    expect(find(log, 'loss', 'train').epochs).toBeNull();
  });
});
