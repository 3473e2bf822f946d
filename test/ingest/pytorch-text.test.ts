import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
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
