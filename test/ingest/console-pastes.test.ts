/**
 * Console pastes that are not one `name: value` record per line: names with digits (`Acc@1`, `top5`, `mAP50`), the
 * lines of several processes (`[rank0]:`, `[default1]:`), tables aligned under a header (pandas' DataFrame print),
 * dicts of tensors. Each must read to the values printed, or be refused; never read wrong.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
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
