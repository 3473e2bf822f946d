import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { pytorchTextParser } from '../../src/ingest/pytorch-text.ts';


const LOG = `Namespace(batch_size=20, epochs=2, lr=20, model='LSTM', tied=False)
| epoch   1 |   200/ 400 batches | lr 20.0000 | ms/batch 11.75 | loss  7.10 | ppl  1212.00
| epoch   1 |   400/ 400 batches | lr 20.0000 | ms/batch 11.61 | loss  6.50 | ppl   665.14
-----------------------------------------------------------------------------------------
| end of epoch   1 | time: 35.61s | valid loss  6.20 | valid ppl   492.75
-----------------------------------------------------------------------------------------
| epoch   2 |   200/ 400 batches | lr 5.0000 | ms/batch 11.45 | loss   nan | ppl      nan
| epoch   2 |   400/ 400 batches | lr 5.0000 | ms/batch 11.59 | loss   nan | ppl      nan
| end of epoch   2 | time: 35.71s | valid loss   nan | valid ppl      nan
=========================================================================================
| End of training | test loss  6.85 | test ppl   944.04
`;

describe('PyTorch example text logs', () => {
  it('sniffs | epoch N | lines and the tutorial format', () => {
    expect(pytorchTextParser.sniff(LOG)).toBe(true);
    expect(pytorchTextParser.sniff('Epoch [1/5], Step [100/600], Loss: 0.2245\n')).toBe(true);
    expect(pytorchTextParser.sniff('| a | b |\n| 1 | 2 |\n')).toBe(false);
  });

  it('reads batch lines as steps, end-of-epoch as validation, the end line as test; timing skipped', () => {
    const [run] = pytorchTextParser.parse(LOG, 'notes.md');
    expect(run!.format).toBe('pytorch_text');
    const loss = seriesNamed(run!, 'loss');
    expect(Array.from(loss.steps)).toEqual([200, 400, 600, 800]);
    expect(Array.from(loss.epochs!)).toEqual([0.5, 1, 1.5, 2]);
    expect(Array.from(loss.values)).toEqual([7.1, 6.5, NaN, NaN]);
    expect(loss.cadence).toBe('step');
    const val = seriesNamed(run!, 'valid_loss');
    expect(val).toMatchObject({ key: 'loss', split: 'val', cadence: 'epoch' });
    expect(Array.from(val.steps)).toEqual([400, 800]);
    expect(Array.from(val.values)).toEqual([6.2, NaN]);
    expect(seriesNamed(run!, 'test_loss')).toMatchObject({ split: 'test' });
    expect(Array.from(seriesNamed(run!, 'lr').values)).toEqual([20, 20, 5, 5]);
    expect(run!.series.map((s) => s.name)).not.toContain('ms/batch');
    expect(run!.series.map((s) => s.name)).not.toContain('time');
    expect(run!.meta!.args).toEqual({ batch_size: 20, epochs: 2, lr: 20, model: 'LSTM', tied: false });
  });

  it('reads the tutorial "Epoch [e/E], Step [s/S], Loss: x" lines', () => {
    const [run] = pytorchTextParser.parse('Epoch [1/2], Step [100/600], Loss: 0.2245\nEpoch [2/2], Step [100/600], Loss: 0.1000\n', 't.log');
    expect(Array.from(seriesNamed(run!, 'loss').steps)).toEqual([100, 700]);
  });

  it("the script's per-epoch summary beside the tutorial's step lines is added at epoch level; the step lines' own metrics are not repeated", () => {
    const lines: string[] = [];
    for (let e = 1; e <= 3; e++) {
      for (let s = 4; s <= 12; s += 4) lines.push(`Epoch [${e}/3], Step [${s}/12], Loss: ${(2.3 - e * 0.2 - s / 100).toFixed(4)}`);
      lines.push(`Epoch [${e}/3] Train Loss: ${(2.25 - e * 0.2).toFixed(4)} | Val Loss: ${(2.2 - e * 0.15).toFixed(4)} | Val Acc: ${30 + e * 5}.00%`);
    }
    const [run] = parseFile(new TextEncoder().encode(lines.join('\n') + '\n'), 'tutorial.log');
    expect(run!.format).toBe('pytorch_text');
    expect(run!.series.map((s) => [s.name, s.key, s.split, s.cadence, s.values.length])).toEqual([
      ['loss', 'loss', 'train', 'step', 9],
      ['train_loss', 'loss', 'train', 'epoch', 3],
      ['val_loss', 'loss', 'val', 'epoch', 3],
      ['val_acc', 'accuracy', 'val', 'epoch', 3],
    ]);
    expect([...seriesNamed(run!, 'train_loss').values]).toEqual([2.05, 1.85, 1.65]);
    expect(run!.notes).toContain('also read by the general console reader: train_loss (epoch-level), val_loss (epoch-level), val_acc (epoch-level)');
  });

  it('fails when nothing could be read', () => {
    expect(() => pytorchTextParser.parse('| epoch 1 |\n', 'x.log')).toThrow(/no metrics found/);
  });
});

describe('pathological text', () => {
  // Regression for regexes with competing quantifiers: these took minutes (cubic/quadratic backtracking) before.
  it('long runs of spaces, digits and blank lines are read in linear time (the test timeout is the guard)', () => {
    const n = 50_000;
    expect(() => pytorchTextParser.parse(`| epoch 1 | a${' '.repeat(n)}x |\n`, 'x.log')).toThrow(/no metrics found/);
    expect(pytorchTextParser.sniff('\n'.repeat(n) + 'x')).toBe(false);
    const [run] = pytorchTextParser.parse(`| epoch 1 | loss ${'1'.repeat(n)}x | ppl 2 |\n`, 'y.log');
    expect(run!.series.map((s) => s.name)).toEqual(['ppl']);
  });
});
