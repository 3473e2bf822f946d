/**
 * The general console reader through parseFile: the shapes pasted in issue 15 (each must read with the right values),
 * what it says it guessed, what it refuses, the incremental API, and its cost on long and hostile lines.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
import { ConsoleReader, readConsoleText } from '../../src/ingest/console/console-reader.ts';
import { findCsvHead } from '../../src/ingest/csv.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { ingestErrorOf } from '../support/ingest-helpers.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const enc = (s: string) => new TextEncoder().encode(s);
const read = (text: string, name = 'paste.txt'): RunLog[] => parseFile(enc(text), name);

function table(run: RunLog): Record<string, { key: string; split: string; cadence: string; steps: number[]; values: number[] }> {
  return Object.fromEntries(run.series.map((s: Series) => [s.name, { key: s.key, split: s.split, cadence: s.cadence, steps: [...s.steps], values: [...s.values] }]));
}

describe('the shapes pasted in issue 15', () => {
  it('epoch [3]: training loss: 1.07 - acc: 0.51 - val_loss: 1.43 - val_acc: 0.53', () => {
    const text = ['epoch [1]: training loss: 1.20 - acc: 0.41 - val_loss: 1.50 - val_acc: 0.45', 'epoch [2]: training loss: 1.12 - acc: 0.47 - val_loss: 1.46 - val_acc: 0.50', 'epoch [3]: training loss: 1.07 - acc: 0.51 - val_loss: 1.43 - val_acc: 0.53'].join('\n');
    const [run] = read(text);
    expect(run!.format).toBe('console_text');
    expect(table(run!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3], values: [1.2, 1.12, 1.07] },
      acc: { key: 'accuracy', split: 'train', cadence: 'epoch', steps: [1, 2, 3], values: [0.41, 0.47, 0.51] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2, 3], values: [1.5, 1.46, 1.43] },
      val_acc: { key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2, 3], values: [0.45, 0.5, 0.53] },
    });
  });

  it('Epoch: 0010 cost = 15.205759 (cost is the loss)', () => {
    const [run] = read('Epoch: 0001 cost = 20.112233\nEpoch: 0002 cost = 17.500000\nEpoch: 0010 cost = 15.205759\n');
    expect(table(run!)).toEqual({ cost: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 10], values: [20.112233, 17.5, 15.205759] } });
  });

  it('Epoch 0: alone on its line, then Train loss and Valid loss lines', () => {
    const [run] = read('Epoch 0:\nTrain loss 0.347656\nValid loss: 5.1115\nEpoch 1:\nTrain loss 0.301\nValid loss: 5.3\n');
    expect(table(run!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [0, 1], values: [0.347656, 0.301] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [0, 1], values: [5.1115, 5.3] },
    });
    expect(run!.notes.join('\n')).toMatch(/`Valid loss` → val_loss \(loss, val\)/);
  });

  it('215424/215375 [====] - 418s - train loss: 3.7656 (a count over its total, a duration)', () => {
    const [run] = read('215424/215375 [==============================] - 418s - train loss: 3.7656\n215424/215375 [==============================] - 410s - train loss: 3.1000\n');
    expect(table(run!)).toEqual({ train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [0, 1], values: [3.7656, 3.1] } });
    // With Keras' `Epoch 1/3` lines the exact Keras reader claims it, and reads the same values.
    const [keras] = read('Epoch 1/3\n215424/215375 [==============================] - 418s - train loss: 3.7656\nEpoch 2/3\n215424/215375 [==============================] - 410s - train loss: 3.1000\n');
    expect(keras!.format).toBe('keras_text');
    expect([...keras!.series[0]!.values]).toEqual([3.7656, 3.1]);
  });

  it('Epoch 0, then 100000/100000 [====] - 144s - loss: 0.8586 - val_loss: 0.8122 (Keras 1, 0-based)', () => {
    const [run] = read('Epoch 0\n100000/100000 [==============================] - 144s - loss: 0.8586 - val_loss: 0.8122\nEpoch 1\n100000/100000 [==============================] - 144s - loss: 0.7100 - val_loss: 0.8300\n');
    expect(table(run!)).toEqual({
      loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [0, 1], values: [0.8586, 0.71] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [0, 1], values: [0.8122, 0.83] },
    });
  });

  it('2018-03-23 15:29:33,355:INFO: train loss:1.10886 (nothing numbers the records: their order does)', () => {
    const [run] = read('2018-03-23 15:29:33,355:INFO: train loss:1.10886\n2018-03-23 15:30:33,355:INFO: train loss:1.00000\n2018-03-23 15:31:33,355:INFO: train loss:0.95000\n');
    expect(table(run!)).toEqual({ train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [0, 1, 2], values: [1.10886, 1, 0.95] } });
    expect(run!.notes).toContain('no epoch or step counter found: records numbered in file order from 0');
  });

  it('0 completed epochs, 100 batches   Average training batch loss: nan   Validation loss: nan   Validation accuracy: 0.338244', () => {
    const line = (e: number, b: number, acc: string) => `${e} completed epochs, ${b} batches   Average training batch loss: nan   Validation loss: nan   Validation accuracy: ${acc}`;
    const [run] = read([line(0, 100, '0.338244'), line(0, 200, '0.339000'), line(1, 300, '0.341000')].join('\n'));
    const t = table(run!);
    expect(Object.keys(t)).toEqual(['train_loss', 'val_loss', 'val_accuracy']);
    expect(t.train_loss!.values.every(Number.isNaN)).toBe(true);
    expect(t.val_loss!.values.every(Number.isNaN)).toBe(true);
    expect(t.val_accuracy).toEqual({ key: 'accuracy', split: 'val', cadence: 'step', steps: [100, 200, 300], values: [0.338244, 0.339, 0.341] });
  });

  it('100%|██████████| 625/625 [03:20<00:00, 3.12it/s, epoch=4, loss: =6.78, LR=0.00012]', () => {
    const [run] = read('100%|██████████| 625/625 [03:20<00:00, 3.12it/s, epoch=3, loss: =7.01, LR=0.00013]\n100%|██████████| 625/625 [03:20<00:00, 3.12it/s, epoch=4, loss: =6.78, LR=0.00012]\n');
    expect(table(run!)).toEqual({
      loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [3, 4], values: [7.01, 6.78] },
      lr: { key: 'lr', split: 'train', cadence: 'epoch', steps: [3, 4], values: [0.00013, 0.00012] },
    });
  });

  it("Train Epoch: 1 [0/60000 (0%)]\\tLoss: 2.300000 is the MNIST example, not a CSV", () => {
    const text = [
      'Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.300000', 'Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.250000', 'Train Epoch: 1 [1280/60000 (2%)]\tLoss: 2.100000',
      '', 'Test set: Average loss: 0.2000, Accuracy: 9400/10000 (94%)', '',
      'Train Epoch: 2 [0/60000 (0%)]\tLoss: 0.500000', 'Train Epoch: 2 [640/60000 (1%)]\tLoss: 0.450000',
      '', 'Test set: Average loss: 0.1000, Accuracy: 9700/10000 (97%)', '',
    ].join('\n');
    expect(findCsvHead(text)).toBeNull();
    const [run] = read(text, 'mnist.log');
    expect(table(run!)).toEqual({
      loss: { key: 'loss', split: 'train', cadence: 'step', steps: [0, 640, 1280, 60000, 60640], values: [2.3, 2.25, 2.1, 0.5, 0.45] },
      test_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2], values: [0.2, 0.1] },
      test_accuracy: { key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2], values: [0.94, 0.97] },
    });
    // A real tab-separated table is still a table.
    expect(findCsvHead('epoch\tloss\tval_loss\n1\t0.5\t0.6\n')).not.toBeNull();
  });

  it('logging lines with | between the values are console output, not a |-separated table', () => {
    const text = [
      '2026-12-07 08:44:02,679 - train - INFO - Starting training: 2 epochs, 10 steps per epoch, lr=0.0016',
      '2026-12-07 08:44:02,679 - train - INFO - epoch 1 step 5 | loss 2.2892 | lr 1.631e-03',
      '2026-12-07 08:44:02,684 - train - INFO - epoch 1 step 10 | loss 2.1666 | lr 1.631e-03',
      '2026-12-07 08:44:02,684 - train - INFO - epoch 1 done | train_loss 2.1925 | val_loss 1.8045 | val_accuracy 0.4060',
      '2026-12-07 08:44:02,690 - train - INFO - epoch 2 step 15 | loss 1.8287 | lr 1.631e-03',
      '2026-12-07 08:44:02,690 - train - INFO - epoch 2 step 20 | loss 1.7515 | lr 1.631e-03',
      '2026-12-07 08:44:02,695 - train - INFO - epoch 2 done | train_loss 1.7900 | val_loss 1.6012 | val_accuracy 0.5120',
    ].join('\n');
    expect(findCsvHead(text)).toBeNull();
    const [run] = read(text, 'train.log');
    expect(run!.format).toBe('console_text');
    const t = table(run!);
    expect(t.loss).toMatchObject({ split: 'train', cadence: 'step', steps: [5, 10, 15, 20], values: [2.2892, 2.1666, 1.8287, 1.7515] });
    expect(t.val_loss).toMatchObject({ split: 'val', cadence: 'epoch', values: [1.8045, 1.6012] });
    expect(t.val_accuracy!.values).toEqual([0.406, 0.512]);
    // A |-separated table with a real header is still a table.
    expect(findCsvHead('epoch|loss|val_loss\n1|0.5|0.6\n2|0.4|0.5\n')).not.toBeNull();
  });

  it("{'loss': 0.41, 'learning_rate': 5e-05, 'epoch': 0.5} dict prints, with numbers and with quoted values", () => {
    const text = "{'loss': 0.6936, 'learning_rate': 5e-05, 'epoch': 0.5}\n{'loss': '0.41', 'learning_rate': '4e-05', 'epoch': '1.0'}\n{'eval_loss': 0.39, 'eval_accuracy': 0.86, 'epoch': 1.0}\n{'loss': 0.30, 'learning_rate': 3e-05, 'epoch': 1.5}\n";
    const t = table(read(text)[0]!);
    expect(t.loss).toEqual({ key: 'loss', split: 'train', cadence: 'step', steps: [0.5, 1, 1.5], values: [0.6936, 0.41, 0.3] });
    expect(t.learning_rate!.values).toEqual([5e-5, 4e-5, 3e-5]);
    expect(t.eval_loss).toEqual({ key: 'loss', split: 'val', cadence: 'step', steps: [1], values: [0.39] });
    expect(t.eval_accuracy!.values).toEqual([0.86]);
  });

  it('markdown tables in a code fence, percentages, K counters, 1.5e-4, inf and a huge float', () => {
    const md = '```\n| Epoch | Train Loss | Val Acc |\n|---:|---:|---:|\n| 1 | 1.5e-4 | 97.3% |\n| 2 | inf | 98.1% |\n```\n';
    expect(table(read(md)[0]!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2], values: [1.5e-4, Infinity] },
      val_acc: { key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2], values: [0.973, 0.981] },
    });
    const steps = read('step:24K/50K loss:0.5 | 1629511453423918336.000000\nstep:25K/50K loss:0.4 | 1629511453423918336.000000\n')[0]!;
    expect(table(steps).loss).toEqual({ key: 'loss', split: 'train', cadence: 'step', steps: [24000, 25000], values: [0.5, 0.4] });
  });

  it('xgboost rounds and several runs appended (the counter restarts)', () => {
    const text = '[1]\ttrain-rmse:7.10\tvalidation-rmse:7.08\n[2]\ttrain-rmse:6.90\tvalidation-rmse:6.95\nWill train until validation_rmse hasn\'t improved in 50 rounds.\n[1]\ttrain-rmse:9.10\tvalidation-rmse:9.08\n[2]\ttrain-rmse:8.90\tvalidation-rmse:8.95\n';
    const runs = read(text, 'xgb.log');
    expect(runs.map((r) => r.name)).toEqual(['xgb', 'xgb (run 2)']);
    expect(table(runs[1]!)['validation-rmse']).toEqual({ key: 'rmse', split: 'val', cadence: 'step', steps: [1, 2], values: [9.08, 8.95] });
    expect(runs[0]!.notes.at(-1)).toBe('2 runs appended in one file (counters restart at lines 4)');
  });
});

describe('more pastes in the styles issue 15 lists', () => {
  it('logging lines with an epoch line, then train and dev lines (dev is the validation)', () => {
    const text = [
      '2018-03-23 15:29:30,101:INFO: start training, 3 epochs',
      '2018-03-23 15:29:31,355:INFO: epoch 1',
      '2018-03-23 15:29:33,355:INFO: train loss:1.10886',
      '2018-03-23 15:29:33,360:INFO: dev loss:1.20441 acc:0.4412',
      '2018-03-23 15:30:01,001:INFO: epoch 2',
      '2018-03-23 15:30:03,115:INFO: train loss:0.98512',
      '2018-03-23 15:30:03,120:INFO: dev loss:1.10293 acc:0.5018',
      '2018-03-23 15:30:31,020:INFO: epoch 3',
      '2018-03-23 15:30:33,780:INFO: train loss:0.87104',
      '2018-03-23 15:30:33,785:INFO: dev loss:1.05007 acc:0.5532',
    ].join('\n');
    expect(table(read(text)[0]!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3], values: [1.10886, 0.98512, 0.87104] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2, 3], values: [1.20441, 1.10293, 1.05007] },
      val_acc: { key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2, 3], values: [0.4412, 0.5018, 0.5532] },
    });
  });

  it('a tqdm bar per epoch redrawn with \\r, its postfix `loss: =x`: the last state of each epoch', () => {
    const bar = (pct: string, n: number, epoch: number, loss: string, lr: string) => `${pct}|██████████| ${n}/625 [03:20<00:00, 3.12it/s, epoch=${epoch}, loss: =${loss}, LR=${lr}]`;
    const text = [
      `${bar(' 50%', 312, 1, '7.9', '0.0001')}\r${bar('100%', 625, 1, '7.40', '0.0001')}`,
      `${bar(' 50%', 312, 2, '7.6', '0.00012')}\r${bar('100%', 625, 2, '7.20', '0.00012')}`,
      `${bar(' 50%', 312, 3, '7.5', '0.00012')}\r${bar('100%', 625, 3, '7.00', '0.00012')}`,
    ].join('\n');
    const t = table(read(text)[0]!);
    expect(t.loss).toEqual({ key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3], values: [7.4, 7.2, 7.0] });
    expect(t.lr!.values).toEqual([0.0001, 0.00012, 0.00012]);
  });

  it('a transformers 5 Trainer console: quoted values, eval dicts at each epoch, the final summary', () => {
    const text = [
      "{'loss': '0.6936', 'grad_norm': '1.532', 'learning_rate': '4.5e-05', 'epoch': '0.5'}",
      "{'loss': '0.6012', 'grad_norm': '2.101', 'learning_rate': '4e-05', 'epoch': '1'}",
      "{'eval_loss': '0.5811', 'eval_accuracy': '0.702', 'eval_runtime': '3.21', 'eval_samples_per_second': '311.5', 'epoch': '1'}",
      "{'loss': '0.4803', 'grad_norm': '2.733', 'learning_rate': '3.5e-05', 'epoch': '1.5'}",
      "{'loss': '0.4021', 'grad_norm': '3.01', 'learning_rate': '3e-05', 'epoch': '2'}",
      "{'eval_loss': '0.5502', 'eval_accuracy': '0.741', 'eval_runtime': '3.19', 'eval_samples_per_second': '313.2', 'epoch': '2'}",
      "{'train_runtime': '120.5', 'train_samples_per_second': '99.6', 'train_steps_per_second': '3.1', 'train_loss': '0.4431', 'epoch': '2'}",
    ].join('\n');
    const t = table(read(text)[0]!);
    expect(Object.keys(t).sort()).toEqual(['eval_accuracy', 'eval_loss', 'grad_norm', 'learning_rate', 'loss', 'train_loss']);
    expect(t.loss).toEqual({ key: 'loss', split: 'train', cadence: 'step', steps: [0.5, 1, 1.5, 2], values: [0.6936, 0.6012, 0.4803, 0.4021] });
    expect(t.learning_rate!.values).toEqual([4.5e-5, 4e-5, 3.5e-5, 3e-5]);
    expect(t.eval_loss).toEqual({ key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2], values: [0.5811, 0.5502] });
    expect(t.eval_accuracy!.values).toEqual([0.702, 0.741]);
    expect(t.train_loss!.values).toEqual([0.4431]);
  });

  it('the transformers notebook table pasted as markdown: the Accuracy after Validation Loss is the evaluation\'s', () => {
    const text = [
      'Here are my results, val loss goes up after epoch 3:',
      '',
      '| Epoch | Training Loss | Validation Loss | Accuracy |',
      '|------:|--------------:|----------------:|---------:|',
      '| 1 | 0.6931 | 0.6512 | 0.612 |',
      '| 2 | 0.5210 | 0.5833 | 0.701 |',
      '| 3 | 0.4102 | 0.5601 | 0.733 |',
      '| 4 | 0.3015 | 0.5902 | 0.728 |',
    ].join('\n');
    expect(table(read(text)[0]!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3, 4], values: [0.6931, 0.521, 0.4102, 0.3015] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2, 3, 4], values: [0.6512, 0.5833, 0.5601, 0.5902] },
      val_accuracy: { key: 'accuracy', split: 'val', cadence: 'epoch', steps: [1, 2, 3, 4], values: [0.612, 0.701, 0.733, 0.728] },
    });
  });
});

describe('more pastes: colours, fastai, GANs', () => {
  it('ANSI-coloured values between | separators are console output, not a |-separated table of text cells', () => {
    const line = (e: number, loss: string, val: string) => `\x1b[32mINFO\x1b[0m Epoch ${e} | loss \x1b[1m${loss}\x1b[0m | val_loss \x1b[1m${val}\x1b[0m`;
    const [run] = read([line(1, '0.9123', '1.0021'), line(2, '0.8011', '0.9555'), line(3, '0.7134', '0.9701')].join('\n'));
    expect(run!.format).toBe('console_text');
    expect(table(run!)).toEqual({
      loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [1, 2, 3], values: [0.9123, 0.8011, 0.7134] },
      val_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [1, 2, 3], values: [1.0021, 0.9555, 0.9701] },
    });
  });

  it("fastai's fit table: valid_loss and the metric after it are the validation's, the time column is not read", () => {
    const text = [
      'epoch     train_loss  valid_loss  error_rate  time    ',
      '0         0.147938    0.023418    0.007442    00:12     ',
      '1         0.060115    0.015630    0.004736    00:12     ',
      '2         0.031240    0.012910    0.004060    00:13     ',
    ].join('\n');
    const [run] = read(text);
    expect(table(run!)).toEqual({
      train_loss: { key: 'loss', split: 'train', cadence: 'epoch', steps: [0, 1, 2], values: [0.147938, 0.060115, 0.03124] },
      valid_loss: { key: 'loss', split: 'val', cadence: 'epoch', steps: [0, 1, 2], values: [0.023418, 0.01563, 0.01291] },
      val_error_rate: { key: 'error_rate', split: 'val', cadence: 'epoch', steps: [0, 1, 2], values: [0.007442, 0.004736, 0.00406] },
    });
    expect(run!.notes[0]).toBe('read 3 of 4 lines with 1 template: `<n> <v> <v> <v> <*>` (3)');
  });

  it('a GAN loop\'s `[Epoch 0/200] [Batch 1/938] [D loss: x] [G loss: y]`, elided with `...`: step-level points', () => {
    const text = [
      '[Epoch 0/200] [Batch 0/938] [D loss: 0.693157] [G loss: 0.702314]',
      '[Epoch 0/200] [Batch 1/938] [D loss: 0.681221] [G loss: 0.710004]',
      '...',
      '[Epoch 1/200] [Batch 0/938] [D loss: 0.450012] [G loss: 1.120033]',
      '[Epoch 1/200] [Batch 1/938] [D loss: 0.441190] [G loss: 1.150221]',
    ].join('\n');
    const t = table(read(text)[0]!);
    expect(t.d_loss).toEqual({ key: 'd_loss', split: 'train', cadence: 'step', steps: [0, 1, 938, 939], values: [0.693157, 0.681221, 0.450012, 0.44119] });
    expect(t.g_loss!.values).toEqual([0.702314, 0.710004, 1.120033, 1.150221]);
  });
});

describe('what the reader says and refuses', () => {
  it('notes the lines it read, its templates and the names it inferred', () => {
    const text = ['python train.py', 'Epoch 1/2 - Train Loss: 0.90 - Valid loss: 1.00', 'saving checkpoint', 'Epoch 2/2 - Train Loss: 0.80 - Valid loss: 0.95'].join('\n');
    const [run] = read(text);
    expect(run!.notes[0]).toBe('read 2 of 4 lines with 1 template: `Epoch <n>/<n> - Train Loss: <v> - Valid loss: <v>` (2)');
    expect(run!.notes[1]).toBe('names read as: `Train Loss` → train_loss (loss, train), `Valid loss` → val_loss (loss, val)');
  });

  it('shows what varies but is not read as <*>, not as the first line printed it', () => {
    const logging = ['2018-03-23 15:29:33,355:INFO: train loss:1.10886', '2018-03-23 15:30:03,115:INFO: train loss:0.98512', '2018-03-23 15:30:33,780:INFO: train loss:0.87104'].join('\n');
    expect(read(logging)[0]!.notes[0]).toBe('read 3 of 3 lines with 1 template: `<*>:INFO: train loss:<v>` (3)');
    // A bar's percentage, its elapsed<remaining time and rate, a duration, a count not used: none is the example's.
    const bars = [
      ' [======= 391/391 =======>]  Step: 1s194ms | Tot: 45s885ms | Loss: 2.703 | Acc: 15.342% (7671/50000)',
      ' [======= 100/100 =======>]  Step: 34ms | Tot: 3s829ms | Loss: 1.979 | Acc: 26.170% (2617/10000)',
      ' [======= 391/391 =======>]  Step: 75ms | Tot: 43s169ms | Loss: 1.806 | Acc: 32.240% (16120/50000)',
      ' [======= 100/100 =======>]  Step: 36ms | Tot: 3s647ms | Loss: 1.669 | Acc: 39.530% (3953/10000)',
    ];
    const kuangliu = read(['Epoch: 0', bars[0], bars[1], 'Epoch: 1', bars[2], bars[3]].join('\n'))[0]!;
    expect(kuangliu.notes[0]).toBe('read 4 of 6 lines with 1 template: `[▮ <n>/<n> ▮] Step: <*> | Tot: <*> | Loss: <v> | Acc: <v> (<*>/<*>)` (4)');
    // The second bar of each epoch is the test pass: the note says why its `Loss` is a validation loss.
    expect(kuangliu.notes[1]).toBe(
      'names read as: `Loss` → val_loss (loss, val on the lines counting to 100; loss on those counting to 391), `Acc` → val_acc (accuracy, val on the lines counting to 100; acc on those counting to 391)',
    );
    const tqdm = read('100%|██████████| 625/625 [03:20<00:00, 3.12it/s, epoch=1, loss: =7.40, LR=0.0001]\n100%|██████████| 625/625 [03:21<00:00, 3.10it/s, epoch=2, loss: =7.20, LR=0.0001]\n')[0]!;
    expect(tqdm.notes[0]).toBe('read 2 of 2 lines with 1 template: `<*>▮ <n>/<n> [<*>, <*>, epoch=<n>, loss: =<v>, LR=<v>]` (2)');
    // Long templates are cut between marks, never inside one.
    const long = read('Epoch 1 | Step 10/6501 | Loss: 0.5187 | PPL: 1.71 | LR: 1.52e-04 | Grad: 0.360 | Time: 0.503s\nEpoch 1 | Step 20/6501 | Loss: 0.5151 | PPL: 1.71 | LR: 1.52e-04 | Grad: 0.277 | Time: 0.522s\n')[0]!;
    expect(long.notes[0]).toMatch(/^read 2 of 2 lines with 1 template: `Epoch <n> \| Step <n>\/<n> \| Loss: <v> \| PPL: <v> \| LR: <v> \| Grad: <v> \| Time: <\*>` \(2\)$/);
  });

  it('names a split carried from the line before, and a name as the run\'s series have it', () => {
    const text = [
      'Epoch 0 | Step 0/20 | Loss: 0.90',
      'Epoch 0 | Step 10/20 | Loss: 0.80',
      'Evaluation Results:',
      '   Loss: 0.85',
      'Epoch 0 completed in 47.2s | Avg Loss: 0.84',
      'Epoch 1 | Step 0/20 | Loss: 0.70',
      'Epoch 1 | Step 10/20 | Loss: 0.60',
      'Evaluation Results:',
      '   Loss: 0.75',
      'Epoch 1 completed in 47.0s | Avg Loss: 0.66',
    ].join('\n');
    const [run] = read(text);
    const t = table(run!);
    expect(t.val_loss!.values).toEqual([0.85, 0.75]);
    expect(t.loss_epoch!.values).toEqual([0.84, 0.66]);
    // The epoch-level `Avg Loss` is stored as loss_epoch beside the per-step loss: the note says so.
    expect(run!.notes[1]).toBe('names read as: `Loss` → val_loss (loss, val from the line before), `Avg Loss` → loss_epoch (loss, train)');
  });

  it('refuses text without training records, naming what it looked for', () => {
    const e = ingestErrorOf(() => read('Hello!\nThis is a README with 3 numbers: 1, 2 and 3.\nNothing repeats here.\n', 'README.md'));
    expect(e.file).toBe('README.md');
    expect(e.reason).toMatch(/^not a recognised training log: expected a Keras CSVLogger file/);
    expect(e.reason).toMatch(/console output whose lines repeat with metric values .* found none in 3 line\(s\)$/);
    // A config dump or a model summary printed twice is not a training log either.
    const summary = '(conv1): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1))\n(bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1)\n';
    expect(ingestErrorOf(() => read(summary + summary)).reason).toMatch(/^not a recognised training log/);
  });

  it('reads console text with a few bytes that are not UTF-8, and a crash\'s NULs, saying so', () => {
    const bytes = new Uint8Array([...enc('epoch 1 loss: 0.5\nGround truth: '), 0xb0, 0xe1, ...enc('\nepoch 2 loss: 0.4\n'), 0, 0, 0, ...enc('epoch 3 loss: 0.3\n')]);
    const [run] = parseFile(bytes, 'cp949.log');
    expect([...run!.series[0]!.values]).toEqual([0.5, 0.4, 0.3]);
    expect(run!.notes.at(-1)).toBe('read as console output with 2 byte sequence(s) that are not UTF-8 replaced and 3 NUL byte(s) dropped (cp949.log: not a text log: binary data (NUL byte at byte 53))');
    // Not a console log: the refusal stands.
    expect(ingestErrorOf(() => parseFile(new Uint8Array([...enc('epoch,loss\n0,'), 0xff, 0x0a]), 'l.csv')).reason).toMatch(/^invalid UTF-8 at byte 13/);
  });
});

describe('incremental reading', () => {
  const text = Array.from({ length: 40 }, (_, i) => `Epoch ${i + 1}/40 - loss: ${(1 / (i + 1)).toFixed(4)} - val_loss: ${(1.2 / (i + 1)).toFixed(4)}`).join('\r\n');

  it('gives the same runs fed in chunks cut anywhere as read at once, and the runs so far in between', () => {
    const whole = readConsoleText(text, 'x.log');
    const r = new ConsoleReader();
    let at = 0;
    let k = 1;
    let seenSoFar = 0;
    while (at < text.length) {
      r.push(text.slice(at, at + k));
      at += k;
      k = (k * 7) % 23 + 1;
      if (at > text.length / 2 && seenSoFar === 0) seenSoFar = r.runs('x.log')[0]!.series[0]!.values.length;
    }
    r.end();
    expect(seenSoFar).toBeGreaterThan(10);
    expect(seenSoFar).toBeLessThan(40);
    expect(r.runs('x.log')).toEqual(whole);
    expect(whole[0]!.series[0]!.values.length).toBe(40);
  });
});

describe('cost', () => {
  it('reads long lines of digits, separators and escapes without backtracking blow-ups', () => {
    const hostile = [
      `${'1'.repeat(60_000)}\n`,
      `${'1.'.repeat(30_000)}\n`,
      `${'-1e'.repeat(20_000)}\n`,
      `loss: ${'0'.repeat(50_000)}.5\n`,
      `${'|'.repeat(60_000)}\n`,
      `${'\x1b['.repeat(30_000)}\n`,
      `${'\r'.repeat(60_000)}x\n`,
      `${'a: 1 '.repeat(12_000)}\n`,
      `${'Epoch 1 '.repeat(8_000)}\n`,
      `${'[ '.repeat(30_000)}\n`,
      `${'a.'.repeat(30_000)}x.py:1\n`,
      `${'a/b_'.repeat(15_000)}.py:1 loss: 1\n`,
      `${'| x '.repeat(15_000)}|\n`,
    ];
    for (const h of hostile) {
      const t0 = performance.now();
      try {
        readConsoleText(h.repeat(3), 'h.log');
      } catch {
        // only the time matters here
      }
      expect(performance.now() - t0, JSON.stringify(h.slice(0, 12))).toBeLessThan(3_000);
    }
  });

  it('reads 100,000 lines of a training log in well under a minute, keeping only the records', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 500 === 0) lines.push(`2024-01-01 12:00:00,123 INFO noise line ${i} with some words`);
      lines.push(`Epoch: ${1 + Math.floor(i / 1000)} | Batch ${i % 1000}/1000 | Loss: ${(1 / (1 + i / 1e4)).toFixed(4)} | 3.12it/s`);
    }
    const t0 = performance.now();
    const [run] = read(lines.join('\n'), 'big.log');
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(run!.series.map((s) => [s.name, s.values.length])).toEqual([['loss', 100_000]]);
  });
});

describe('prose with numbers is not a training log', () => {
  // The shared real logs' labels table (a file, its format, a label and notes with numbers in them) read as a run
  // that "became NaN at epoch 1"; read in place, skipped with a notice when ../shared is absent.
  const labels = REAL_LOGS_DIR ? path.join(REAL_LOGS_DIR, 'labels.tsv') : null;
  it.skipIf(!labels || !existsSync(labels))('refuses notes whose every line is its own template (../shared/real-logs/labels.tsv), naming the file', () => {
    expect(() => parseFile(new Uint8Array(readFileSync(labels!)), 'labels.tsv')).toThrow(/^labels\.tsv:1: /);
  });

  it('still reads three lines of one repeated template', () => {
    const text = ['Epoch 1 loss: 0.9 val_loss: 1.0', 'Epoch 2 loss: 0.7 val_loss: 0.8', 'Epoch 3 loss: 0.5 val_loss: 0.7'].join('\n');
    const [run] = parseFile(new TextEncoder().encode(text), 'train.log');
    expect(run!.series.find((s) => s.key === 'loss' && s.split === 'train')!.values.length).toBe(3);
  });
});
