/**
 * Console pastes that are not one `name: value` record per line: names with digits (`Acc@1`, `top5`, `mAP50`), the
 * lines of several processes (`[rank0]:`, `[default1]:`), tables aligned under a header (pandas' DataFrame print),
 * dicts of tensors. Each must read to the values printed, or be refused; never read wrong.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
import { ConsoleReader, readConsoleText } from '../../src/ingest/console/console-reader.ts';
import { parseFile } from '../../src/ingest/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const read = (text: string, name = 'paste.txt'): RunLog[] => parseFile(enc(text), name);

function table(run: RunLog): Record<string, [string, string, number[], number[]]> {
  return Object.fromEntries(run.series.map((s: Series) => [s.name, [s.key, s.split, [...s.steps], [...s.values].map((v) => Math.round(v * 1e6) / 1e6)]]));
}

describe('names with digits keep them', () => {
  it("timm's `Acc@1: 85.0 (85.0)  Acc@5: 99.0 (99.0)`: two columns, not one `Acc@<*>`", () => {
    const text = [1, 2, 3].map((e) => `Test: [  10/10]  Time: 0.1 (0.1)  Loss: ${(0.6 - e / 10).toFixed(2)} (0.5)  Acc@1: ${80 + e}.0 (80.0)  Acc@5: ${96 + e}.0 (99.0)`).join('\n');
    const [run] = read(text);
    const t = table(run!);
    // Top-1 accuracy is the accuracy (read as a fraction); top-5 keeps its own name.
    expect(t['test_acc@1']).toEqual(['accuracy', 'val', [0, 1, 2], [0.81, 0.82, 0.83]]);
    expect(t['test_acc@5']).toEqual(['acc@5', 'val', [0, 1, 2], [97, 98, 99]]);
    expect(t.test_loss).toEqual(['loss', 'val', [0, 1, 2], [0.5, 0.4, 0.3]]);
  });

  it('top5, f1, mAP50, bleu4, mAP@.5, R@10 and Prec@1 are names, not a name and a number', () => {
    const text = [1, 2, 3].map((e) => `epoch ${e} top5: 0.9${e} f1: 0.${e} mAP50: 0.3${e} bleu4: 1${e}.1 mAP@.5: 0.2${e} R@10: 0.4${e} Prec@1 0.5${e} loss ${3 - e}.0`).join('\n');
    const [run] = read(text);
    expect(run!.series.map((s) => [s.name, s.key])).toEqual([
      ['top5', 'top5'],
      ['f1', 'f1'],
      ['map50', 'map50'],
      ['bleu4', 'bleu4'],
      ['map@.5', 'map@.5'],
      ['r@10', 'r@10'],
      ['prec@1', 'accuracy'],
      ['loss', 'loss'],
    ]);
    expect(table(run!)['r@10']![3]).toEqual([0.41, 0.42, 0.43]);
  });
});

describe('lines of several processes', () => {
  const epochs = [
    [2.4027, 2.5, 0.0],
    [2.0, 2.0831, 0.167],
    [1.657, 1.7417, 0.303],
  ];
  const line = (tag: string, e: number, shift = 0) => `${tag}Epoch ${e}: train loss ${(epochs[e]![0]! + shift).toFixed(4)}, val loss ${epochs[e]![1]!.toFixed(4)}, val acc ${epochs[e]![2]!.toFixed(3)}`;

  it('`[rank0]: Epoch 0: train loss 2.4027, val loss 2.5000, …` is console output, not a CSV whose cells hold text', () => {
    const [run] = read(epochs.map((_, e) => line('[rank0]: ', e)).join('\n'));
    expect(run!.format).toBe('console_text');
    expect(table(run!)).toEqual({
      train_loss: ['loss', 'train', [0, 1, 2], [2.4027, 2, 1.657]],
      val_loss: ['loss', 'val', [0, 1, 2], [2.5, 2.0831, 1.7417]],
      val_acc: ['accuracy', 'val', [0, 1, 2], [0, 0.167, 0.303]],
    });
  });

  it('two ranks interleaved (torchrun --tee, Ray, mpirun, a script\'s own tags) read as rank 0, saying so', () => {
    const tags: Array<[string, string, string]> = [
      ['[default0]:', '[default1]:', '[default0]'],
      ['[rank0]: ', '[rank1]: ', '[rank0]'],
      ['[rank 0] ', '[rank 1] ', '[rank 0]'],
      ['rank 0: ', 'rank 1: ', 'rank 0'],
      ['[1,0]<stdout>:', '[1,1]<stdout>:', '[1,0]<stdout>'],
      ['(RayTrainWorker pid=4242, ip=10.0.0.1) ', '(RayTrainWorker pid=4343, ip=10.0.0.2) ', '(RayTrainWorker pid=4242, ip=10.0.0.1)'],
    ];
    for (const [a, b, label] of tags) {
      // Rank 1's lines come first in each epoch and carry other train losses; pids have no rank: the first seen is read.
      const pid = a.includes('pid=');
      const text = epochs.flatMap((_, e) => (pid ? [line(a, e), line(b, e, 0.5)] : [line(b, e, 0.5), line(a, e)])).join('\n');
      const [run, more] = read(text);
      expect(more, a).toBeUndefined();
      expect(table(run!).train_loss, a).toEqual(['loss', 'train', [0, 1, 2], [2.4027, 2, 1.657]]);
      expect(run!.notes.find((n) => n.startsWith('lines of 2 processes')), a).toContain(`read ${label}'s`);
    }
  });

  it('lines two processes glued together in one pipe are cut apart at the second tag', () => {
    const text = epochs.map((_, e) => `${line('[rank1]: ', e, 0.5)}${line('[rank0]: ', e)}\n`).join('\n');
    const [run] = read(text);
    expect(table(run!).train_loss).toEqual(['loss', 'train', [0, 1, 2], [2.4027, 2, 1.657]]);
    expect(table(run!).val_acc).toEqual(['accuracy', 'val', [0, 1, 2], [0, 0.167, 0.303]]);
  });
});

describe('a tag word later in a line', () => {
  it("is not a second process's tag: 'rank 0: … mean rank 12 of 100' stays one line with all its fields", () => {
    const text = [0, 1, 2].map((e) => `rank 0: epoch ${e} loss ${(2 - 0.5 * e).toFixed(2)}, mean rank ${12 - e} of 100, val_loss ${(2.1 - 0.4 * e).toFixed(2)}`).join('\n');
    const [run, more] = read(text);
    expect(more).toBeUndefined();
    const t = table(run!);
    expect(t.loss?.[3] ?? t.train_loss?.[3]).toEqual([2, 1.5, 1]);
    expect(t.val_loss?.[3]).toEqual([2.1, 1.7, 1.3]);
    // Three lines, one template: the line was not cut at "rank 12" into two lines of two templates.
    expect(run!.notes.find((n) => n.startsWith('read '))).toMatch(/^read 3 of 3 lines with 1 template/);
  });
});

describe("tables aligned under a header (pandas' DataFrame print)", () => {
  // Printed by pandas 3.0 (print(pd.DataFrame(history.history))).
  const frame = [
    '     loss  accuracy  val_loss  val_accuracy',
    '0  2.4027    0.0389    2.5000        0.0000',
    '1  2.0000    0.2000    2.0831        0.1668',
    '2  1.6570    0.3372    1.7417        0.3033',
  ].join('\n');
  const want = {
    loss: ['loss', 'train', [0, 1, 2], [2.4027, 2, 1.657]],
    accuracy: ['accuracy', 'train', [0, 1, 2], [0.0389, 0.2, 0.3372]],
    val_loss: ['loss', 'val', [0, 1, 2], [2.5, 2.0831, 1.7417]],
    val_accuracy: ['accuracy', 'val', [0, 1, 2], [0, 0.1668, 0.3033]],
  };

  it('each column under its header name, the index column as the epoch', () => {
    const [run] = read(frame);
    expect(table(run!)).toEqual(want);
    expect(run!.notes).toContain("a table's unnamed first column (a DataFrame's index) read as the epoch");
  });

  it('the same when the header does not sit over its columns (pasted, re-indented), and with index numbers of another width', () => {
    const shifted = ['    loss  accuracy  val_loss  val_accuracy', '0   2.4027  0.0389  2.5000  0.0000', '1   2.0000  0.2000  2.0831  0.1668', '2   1.6570  0.3372  1.7417  0.3033'].join('\n');
    expect(table(read(shifted)[0]!)).toEqual(want);
  });

  it("rows elided with '..' keep their epochs from the index; a '[80 rows x 4 columns]' footer ends the table", () => {
    const long = [
      '        loss  accuracy  val_loss  val_accuracy',
      '0   2.402687  0.038925  2.500000      0.000000',
      '1   2.000029  0.199988  2.083081      0.166768',
      '..       ...       ...       ...           ...',
      '78  0.180873  0.927651  0.422845      0.830862',
      '79  0.152065  0.939174  0.431453      0.827419',
      '',
      '[80 rows x 4 columns]',
      '12  34  56  78',
    ].join('\n');
    const [run] = read(long);
    expect(table(run!).val_loss).toEqual(['loss', 'val', [0, 1, 78, 79], [2.5, 2.083081, 0.422845, 0.431453]]);
  });

  it("columns elided with '...', a frame wrapped into blocks with '\\', and a named index", () => {
    const elided = ['       loss  accuracy  ...  val_accuracy  learning_rate', '0  2.000000  0.000000  ...      0.000000          0.003', '1  1.975949  0.012658  ...      0.011392          0.003', '2  1.951899  0.025316  ...      0.022785          0.003'].join('\n');
    const [run] = read(elided);
    expect(Object.keys(table(run!))).toEqual(['loss', 'accuracy', 'val_accuracy', 'learning_rate']);
    expect(table(run!).val_accuracy![3]).toEqual([0, 0.011392, 0.022785]);
    expect(run!.notes).toContain("a table printed with '...' for columns it left out (pandas' display width): only the columns shown are read");
    const wrapped = ['     loss  accuracy  top3  val_loss  \\', '0  2.4000    0.0389   0.1    2.5000   ', '1  2.0000    0.2000   0.2    2.0831   ', '', '   val_top3  learning_rate  ', '0       0.2          0.001  ', '1       0.3          0.001  '].join('\n');
    expect(table(read(wrapped)[0]!)).toMatchObject({ val_loss: ['loss', 'val', [0, 1], [2.5, 2.0831]], val_top3: ['top3', 'val', [0, 1], [0.2, 0.3]], learning_rate: ['lr', 'train', [0, 1], [0.001, 0.001]] });
    const named = ['       loss  val_loss', 'epoch                ', '0       1.0       1.1', '1       0.8       NaN', '2       0.7       0.9'].join('\n');
    expect(table(read(named)[0]!).val_loss![3]).toEqual([1.1, 0.9]);
  });

  it("a frame of the Trainer's log dicts: its NaN cells are empty cells, not NaN losses; its epoch and step columns place the rows", () => {
    const logs = ['   loss  learning_rate  epoch  step  eval_loss', '0  0.69          0.004    0.4     4        NaN', '1   NaN            NaN    1.0    10        0.6', '2  0.50          0.003    1.4    14        NaN', '3   NaN            NaN    2.0    20        0.5'].join('\n');
    const [run] = read(logs);
    expect(table(run!)).toEqual({ loss: ['loss', 'train', [4, 14], [0.69, 0.5]], learning_rate: ['lr', 'train', [4, 14], [0.004, 0.003]], eval_loss: ['loss', 'val', [10, 20], [0.6, 0.5]] });
    // Its epoch and step columns elided by pandas: the index numbers rows (not epochs), the summary row's lone value is dropped.
    const elided = ['   loss  learning_rate  ...  train_loss', '0  0.69          0.004  ...         NaN', '1   NaN            NaN  ...         NaN', '2  0.50          0.003  ...         NaN', '3  0.41          0.002  ...         NaN', '4   NaN            NaN  ...        0.55'].join('\n');
    const [rows] = read(elided);
    expect(table(rows!)).toEqual({ loss: ['loss', 'train', [0, 2, 3], [0.69, 0.5, 0.41]], learning_rate: ['lr', 'train', [0, 2, 3], [0.004, 0.003, 0.002]] });
    expect(rows!.notes).toContain('a table whose rows are of several kinds (NaN where a row has no value): its unnamed first column numbers rows, not epochs');
    // A NaN a run diverged into is kept: nothing follows it.
    const diverged = ['   loss  val_loss', '0  0.9       1.0', '1  5.2       8.1', '2  NaN       NaN', '3  NaN       NaN'].join('\n');
    expect(table(read(diverged)[0]!).loss![3]).toEqual([0.9, 5.2, NaN, NaN]);
  });
});

describe('values wrapped in reprs', () => {
  it("trainer.callback_metrics printed each epoch: {'val_loss': tensor(0.6998), …}, and NumPy 2's np.float64(…)", () => {
    const text = [0.6998, 0.68, 0.6598].map((v, e) => `{'val_loss': tensor(${v.toFixed(4)}), 'train_loss': tensor(${(v + 0.02).toFixed(4)}, grad_fn=<MeanBackward0>), 'acc': np.float64(0.${5 + e})}`).join('\n');
    const [run] = read(text);
    expect(table(run!)).toEqual({
      val_loss: ['loss', 'val', [0, 1, 2], [0.6998, 0.68, 0.6598]],
      train_loss: ['loss', 'train', [0, 1, 2], [0.7198, 0.7, 0.6798]],
      acc: ['accuracy', 'train', [0, 1, 2], [0.5, 0.6, 0.7]],
    });
  });
});

describe('histories printed whole, read as text arrives', () => {
  it('gives the same runs fed in chunks cut anywhere as read at once', () => {
    const text = `WARNING: something\n{'loss': [2.4,\n          2.0,\n          1.6],\n 'val_loss': [2.5,\n              2.1,\n              1.7]}\n`;
    const whole = readConsoleText(text, 'h.log');
    for (const size of [1, 3, 7, 16]) {
      const r = new ConsoleReader();
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      r.end();
      expect(r.runs('h.log'), `chunks of ${size}`).toEqual(whole);
    }
    expect(table(whole[0]!)).toEqual({ loss: ['loss', 'train', [0, 1, 2], [2.4, 2, 1.6]], val_loss: ['loss', 'val', [0, 1, 2], [2.5, 2.1, 1.7]] });
  });

  it('a history literal cut off mid-print and followed by a word keeps its own error when nothing else is read', () => {
    expect(() => read("Training a small model\n{'loss': [2.30, 1.90, 1.50,\nDone training\n", 'cut.log')).toThrow(
      /^cut\.log:2: a history printed as a literal, malformed: column 10: unterminated list: expected '\]'/,
    );
  });

  it('beside log lines, a history printed whole adds the series the lines lack, and its note says where it was printed', () => {
    const lines = 'epoch 1 loss 0.9\nepoch 2 loss 0.8\nepoch 3 loss 0.7\n';
    const [added, ...more] = read(`${lines}{'loss': [0.9, 0.8, 0.7],\n 'val_loss': [1.0, 0.95, 0.9]}\n`);
    expect(more).toEqual([]);
    expect(Object.keys(table(added!))).toEqual(['loss', 'val_loss']);
    expect(added!.notes.at(-1)).toBe('read from the literal printed at lines 4–5: val_loss added (the lines printed none of these)');
    const [same] = read(`${lines}{'loss': [0.9, 0.8, 0.7]}\n`);
    expect(table(same!)).toEqual({ loss: ['loss', 'train', [1, 2, 3], [0.9, 0.8, 0.7]] });
    expect(same!.notes.at(-1)).toBe('read from the literal printed at line 4: the same series as the lines, not read again');
  });

  it('a literal cut off and followed by log lines does not hold those lines back', () => {
    const r = new ConsoleReader();
    r.push("{'loss': [2.4,\n 2.0,\nEpoch 1: loss 0.5\nEpoch 2: loss 0.4\nEpoch 3: loss 0.3\n");
    // Before the end: the epoch lines are read already.
    expect(table(r.runs('x.log')[0]!)).toEqual({ loss: ['loss', 'train', [1, 2, 3], [0.5, 0.4, 0.3]] });
  });
});
