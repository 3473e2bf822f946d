/**
 * Prints that share a line with something else, and lines that report an evaluation: a message written right after a
 * tqdm bar's last state (console/glued-prints.ts), the unqualified measures of a line whose only loss is the
 * evaluation's (console/evaluation-records.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../src/domain/run.ts';
import { splitAfterBars } from '../../src/ingest/console/glued-prints.ts';
import { parseFile } from '../../src/ingest/index.ts';

const read = (text: string): RunLog[] => parseFile(new TextEncoder().encode(text), 'paste.txt');
const shape = (run: RunLog) => Object.fromEntries(run.series.map((s) => [s.name, [s.key, s.split, s.cadence, [...s.steps], [...s.values]]]));

describe('a print on the line of a progress bar', () => {
  it('splits after the bar statistics when text follows the closing bracket', () => {
    expect(splitAfterBars('Epoch 0:  50%|█████     | 4/8 [00:00<00:00, 93.31it/s, val_loss=0.710]Metric val_loss improved. New best score: 0.710')).toEqual([
      'Epoch 0:  50%|█████     | 4/8 [00:00<00:00, 93.31it/s, val_loss=0.710]',
      'Metric val_loss improved. New best score: 0.710',
    ]);
    expect(splitAfterBars(" 25%|██▌       | 56/224 [00:01<00:03, 40.10it/s]epoch 0: {'eval_loss': 2.2606, 'accuracy': 0.3401}")).toEqual([
      ' 25%|██▌       | 56/224 [00:01<00:03, 40.10it/s]',
      "epoch 0: {'eval_loss': 2.2606, 'accuracy': 0.3401}",
    ]);
    // A slow bar (s/it), an unknown total.
    expect(splitAfterBars('Training: 100%|████| 5/5 [00:07<00:00,  1.52s/it]done')).toHaveLength(2);
    expect(splitAfterBars('Validation: | | 3/? [00:00<00:00, 12.1it/s]x')).toHaveLength(2);
  });

  it('leaves a bar alone that ends its line, is padded, or is followed by another bar drawn beside it', () => {
    for (const line of [
      'Epoch 0: 100%|██████████| 8/8 [00:00<00:00, 120.69it/s, loss=0.697]',
      'Epoch 0: 100%|██████████| 8/8 [00:00<00:00, 120.69it/s, loss=0.697]   ',
      'Epoch 0: 100%|██████████| 8/8 [00:00<00:00, 120.69it/s] | other',
      'step 5: loss 2.3152 (12.1it/s)',
    ]) {
      expect(splitAfterBars(line), line).toEqual([line]);
    }
  });

  it('the message after the bar neither joins its template nor takes its counter', () => {
    const bar = (e: number, n: number, v: number) => `Epoch ${e}: ${n * 25}%|███       | ${n}/4 [00:00<00:00, 90.00it/s, loss=${v}]`;
    const text = [
      `${bar(0, 2, 0.69)}`,
      `${bar(0, 4, 0.61)}Metric val_loss improved. New best score: 0.650`,
      `${bar(1, 2, 0.55)}`,
      `${bar(1, 4, 0.52)}Metric val_loss improved by 0.1 >= min_delta = 0.0. New best score: 0.550`,
    ].join('\n');
    const [run] = read(text + '\n');
    expect(shape(run!)).toEqual({ loss: ['loss', 'train', 'step', [2, 4, 6, 8], [0.69, 0.61, 0.55, 0.52]] });
    // accelerate's example: a bare bar over all steps, the epoch's metrics printed after its state.
    const steps = (e: number) => ` ${(e + 1) * 25}%|██▌       | ${(e + 1) * 56}/224 [00:01<00:03, 40.10it/s]`;
    const [acc] = read([0, 1, 2].map((e) => `${steps(e)}epoch ${e}: {'eval_loss': ${(2.3 - e / 10).toFixed(1)}, 'accuracy': ${(0.3 + e / 10).toFixed(1)}}`).join('\n') + '\n');
    expect(shape(acc!)).toEqual({
      eval_loss: ['loss', 'val', 'epoch', [0, 1, 2], [2.3, 2.2, 2.1]],
      val_accuracy: ['accuracy', 'val', 'epoch', [0, 1, 2], [0.3, 0.4, 0.5]],
    });
  });
});

describe('a line whose only loss is the evaluation loss', () => {
  it("epoch 0: {'eval_loss': …, 'accuracy': …} (accelerate's examples): the accuracy is the evaluation's, and the notes say so", () => {
    const [run] = read(["epoch 0: {'eval_loss': 2.2606, 'accuracy': 0.3401}", "epoch 1: {'eval_loss': 2.1879, 'accuracy': 0.4232}"].join('\n') + '\n');
    expect(shape(run!)).toEqual({
      eval_loss: ['loss', 'val', 'epoch', [0, 1], [2.2606, 2.1879]],
      val_accuracy: ['accuracy', 'val', 'epoch', [0, 1], [0.3401, 0.4232]],
    });
    expect(run!.notes).toContain('names read as: `accuracy` → val_accuracy (accuracy, val)');
  });

  it('a training loss on the line, losses of two splits, or a learning rate keep their own names', () => {
    const [train] = read(['Epoch 1 loss: 0.91 val_loss: 0.95 acc: 0.61', 'Epoch 2 loss: 0.85 val_loss: 0.90 acc: 0.66'].join('\n') + '\n');
    expect(train!.series.find((s) => s.name === 'acc')!.split).toBe('train');
    const [two] = read(['Epoch 1 val_loss: 0.95 test_loss: 0.97 acc: 0.61', 'Epoch 2 val_loss: 0.90 test_loss: 0.93 acc: 0.66'].join('\n') + '\n');
    expect(two!.series.find((s) => s.name === 'acc')!.split).toBe('train');
    const [lr] = read(['Epoch 1 val_loss: 0.95 lr: 0.01 acc: 61.0%', 'Epoch 2 val_loss: 0.90 lr: 0.005 acc: 66.0%'].join('\n') + '\n');
    expect(Object.fromEntries(lr!.series.map((s) => [s.name, `${s.key}/${s.split}`]))).toEqual({ val_loss: 'loss/val', lr: 'lr/train', val_acc: 'accuracy/val' });
  });
});

describe('a progress bar redrawn on one line', () => {
  // tqdm knows no rate before the first advance: `0/4 [00:00<?, ?it/s]`.
  const bar = (desc: string, n: number, total: number, v: number | null) =>
    `${desc}: ${Math.round((n / total) * 100)}%|█ | ${n}/${total} [${n === 0 ? '00:00<?, ?it/s' : `00:0${n}<00:01,  1.00s/it`}${v === null ? '' : `, loss=${v}`}]`;

  it('one bar over the epochs is read at each of its positions, and the notes say so', () => {
    const states = [bar('Training', 0, 4, null), bar('Training', 0, 4, 0.9)];
    for (const [n, v, next] of [[1, 0.9, 0.7], [2, 0.7, 0.6], [3, 0.6, 0.5]] as const) states.push(bar('Training', n, 4, v), bar('Training', n, 4, next));
    states.push(bar('Training', 4, 4, 0.5));
    const [run] = read(states.join('\r') + '\n');
    expect(shape(run!)).toEqual({ loss: ['loss', 'train', 'epoch', [1, 2, 3, 4], [0.9, 0.7, 0.6, 0.5]] });
    expect(run!.notes[0]).toMatch(/^read 4 records of 1 line \(3 of them earlier states of a progress bar redrawn on its line\)/);
  });

  it('a bar per epoch is read from its last states, as before', () => {
    const lines = [1, 2, 3].map((e) => [0, 1, 2, 3, 4].map((n) => bar(`Epoch ${e}/3`, n, 4, n === 0 ? null : +(1 - e / 10 - n / 100).toFixed(2))).join('\r'));
    const [run] = read(lines.join('\n') + '\n');
    expect(shape(run!)).toEqual({ loss: ['loss', 'train', 'epoch', [1, 2, 3], [0.86, 0.76, 0.66]] });
  });
});
