/**
 * The loss printed as a sum of terms (console/loss-terms.ts): the terms of a `Losses:` group are parts of the loss and
 * their `total` the loss; a `total` with no such label is the loss only when the run has no other loss and its values
 * are fractions, never a count or a percentage.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { ingestErrorOf } from '../support/ingest-helpers.ts';

const read = (text: string): RunLog[] => parseFile(new TextEncoder().encode(text), 'paste.txt');
const keys = (run: RunLog) => Object.fromEntries(run.series.map((s) => [s.name, `${s.key}/${s.split}/${s.direction}`]));

describe('a loss printed as the sum of its terms', () => {
  it('[Losses: x …, total …, recall: …]: the terms are loss_<term>, total the loss, recall and precision themselves', () => {
    const lines = [0.27, 0.29, 0.28].map(
      (x, b) => `[Epoch 0/30, Batch ${b}/7329] [Losses: x ${x}, y 0.25, w ${4.8 - b}, h 4.6, conf 4.4, cls 0.82, total ${15.1 - b}, recall: 0.0${b}, precision: 0.00${b}]`,
    );
    const [run] = read(lines.join('\n') + '\n');
    expect(keys(run!)).toEqual({
      loss_x: 'loss_x/train/lower',
      loss_y: 'loss_y/train/lower',
      loss_w: 'loss_w/train/lower',
      loss_h: 'loss_h/train/lower',
      loss_conf: 'loss_conf/train/lower',
      loss_cls: 'loss_cls/train/lower',
      loss: 'loss/train/lower',
      recall: 'recall/train/higher',
      precision: 'precision/train/higher',
    });
    expect([...run!.series.find((s) => s.name === 'loss')!.values]).toEqual([15.1, 14.1, 13.1]);
    expect(run!.notes.join('\n')).toContain('`total` → loss (loss, train)');
  });

  it('Validation Losses: cls …, box …, sum …: the group takes the split of its label', () => {
    const [run] = read(['Epoch 1 Validation Losses: cls 0.52, box 0.31, sum 0.83', 'Epoch 2 Validation Losses: cls 0.47, box 0.29, sum 0.76'].join('\n') + '\n');
    expect(keys(run!)).toEqual({ val_loss_cls: 'loss_cls/val/lower', val_loss_box: 'loss_box/val/lower', val_loss: 'loss/val/lower' });
  });

  it('Loss: 0.52 grad: 1.3: a label followed by its own value is no group', () => {
    const [run] = read(['step 1 Loss: 0.52 grad: 1.3', 'step 2 Loss: 0.47 grad: 1.1', 'step 3 Loss: 0.45 grad: 0.9'].join('\n') + '\n');
    expect(keys(run!)).toEqual({ loss: 'loss/train/lower', grad: 'grad/train/higher' });
  });

  it('[epoch: 1/200, iter: 25/489] total: 1.59: with no other loss in the run, total is the loss, and the notes say so', () => {
    const lines: string[] = [];
    for (let e = 1; e <= 3; e++) {
      for (let it = 0; it < 489; it += 200) lines.push(`[epoch: ${e}/200, iter: ${it}/489] total: ${(2 - e * 0.1 - it / 5000).toFixed(6)} `);
      lines.push(`Validation accuracy: ${0.4 + e / 20}`);
    }
    const [run] = read(lines.join('\n') + '\n');
    const total = run!.series.find((s) => s.name === 'total')!;
    expect([total.key, total.split, total.direction, total.cadence, total.values.length]).toEqual(['loss', 'train', 'lower', 'step', 9]);
    expect(run!.notes).toContain('`total` read as the loss: the run logs no other loss, and a total of fractional values is the sum of its loss terms');
  });

  it('a total beside another loss stays a total', () => {
    const [run] = read(['epoch 1 loss: 0.91 total: 1.32', 'epoch 2 loss: 0.85 total: 1.21', 'epoch 3 loss: 0.80 total: 1.13'].join('\n') + '\n');
    expect(keys(run!)).toEqual({ loss: 'loss/train/lower', total: 'total/train/higher' });
    expect(run!.notes.join('\n')).not.toContain('read as the loss');
  });

  it('total: 489 samples is a count, total: 93.1% a percentage: neither becomes the loss', () => {
    const counts = ['epoch 1 acc: 0.51 total: 489 samples', 'epoch 2 acc: 0.58 total: 978 samples', 'epoch 3 acc: 0.62 total: 1467 samples'];
    const [run] = read(counts.join('\n') + '\n');
    expect(keys(run!)).toEqual({ acc: 'accuracy/train/higher' });
    const [pct] = read(['epoch 1 acc: 0.51 total: 90.5%', 'epoch 2 acc: 0.58 total: 91.7%', 'epoch 3 acc: 0.62 total: 93.1%'].join('\n') + '\n');
    expect(pct!.series.find((s) => s.name === 'total')!.key).toBe('total');
  });

  it('lines of counts alone are still no training log', () => {
    const err = ingestErrorOf(() => read(['Epoch 1 total: 489', 'Epoch 2 total: 978', 'Epoch 3 total: 1467'].join('\n') + '\n'));
    expect(err.reason).toMatch(/^not a recognised training log/);
  });
});
