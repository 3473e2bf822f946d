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

describe('what the reader says and refuses', () => {
  it('notes the lines it read, its templates and the names it inferred', () => {
    const text = ['python train.py', 'Epoch 1/2 - Train Loss: 0.90 - Valid loss: 1.00', 'saving checkpoint', 'Epoch 2/2 - Train Loss: 0.80 - Valid loss: 0.95'].join('\n');
    const [run] = read(text);
    expect(run!.notes[0]).toBe('read 2 of 4 lines with 1 template: `Epoch <n>/<n> - Train Loss: <v> - Valid loss: <v>` (2)');
    expect(run!.notes[1]).toBe('names read as: `Train Loss` → train_loss (loss, train), `Valid loss` → val_loss (loss, val)');
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
