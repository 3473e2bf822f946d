import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { plainCsvParser } from '../../src/ingest/plain-csv.ts';


describe('plain CSV', () => {
  it('claims only tables with a loss-like column', () => {
    expect(plainCsvParser.sniff('epoch,train_loss,val_loss\n1,1,1\n')).toBe(true);
    expect(plainCsvParser.sniff('file\tformat\tlabel\na\tb\tc\n')).toBe(false);
  });

  it('reads 1-based epochs, percent accuracy, and test as validation when there is no val', () => {
    const [run] = plainCsvParser.parse('epoch,train_loss,train_acc,test_loss,test_acc\n1,1.46,47.19,1.14,58.78\n2,1.05,62.3,0.90,67.6\n', 'training_log.csv');
    expect(run!.format).toBe('plain_csv');
    const acc = seriesNamed(run!, 'train_acc');
    expect(acc.values[0]).toBeCloseTo(0.4719, 12);
    expect(Array.from(acc.steps)).toEqual([1, 2]);
    expect(seriesNamed(run!, 'test_loss').split).toBe('val');
    expect(run!.notes).toEqual(expect.arrayContaining([
      'train_acc: values above 1 read as percent and scaled to 0–1',
      'no validation series: test_loss, test_acc used as validation',
    ]));
  });

  it('uses a step/iter column as step cadence, or numbers the rows from 1', () => {
    const [a] = plainCsvParser.parse('iter,loss\n100,2\n200,1\n', 'a.csv');
    expect(a!.series[0]).toMatchObject({ cadence: 'step', epochs: null });
    expect(Array.from(a!.series[0]!.steps)).toEqual([100, 200]);
    const [b] = plainCsvParser.parse('train_loss,val_loss\n2,3\n1,2\n', 'b.csv');
    expect(Array.from(b!.series[0]!.steps)).toEqual([1, 2]);
    expect(b!.notes).toContain('no epoch or step column: rows numbered as epochs from 1');
  });

  it('skips wholly textual columns with a note', () => {
    const [run] = plainCsvParser.parse('epoch,optimizer,loss\n1,adam,2\n2,adam,1\n', 'c.csv');
    expect(run!.series.map((s) => s.name)).toEqual(['loss']);
    expect(run!.notes).toContain("column 'optimizer' holds text, not numbers: skipped");
  });
});

describe('the transformers Trainer\'s notebook table, copied from Jupyter (tab-separated)', () => {
  it('reads Validation Loss as the validation loss and the metrics after it as the evaluation\'s, saying so', () => {
    const text = 'Epoch\tTraining Loss\tValidation Loss\tAccuracy\tF1\n1\t0.693100\t0.651200\t0.612000\t0.600000\n2\t0.521000\t0.583300\t0.701000\t0.690000\n3\t0.410200\t0.560100\t0.733000\t0.720000\n';
    const [run] = plainCsvParser.parse(text, 'notebook.txt');
    expect(run!.series.map((s) => [s.name, s.key, s.split, [...s.steps], [...s.values]])).toEqual([
      ['Training Loss', 'loss', 'train', [1, 2, 3], [0.6931, 0.521, 0.4102]],
      ['Validation Loss', 'loss', 'val', [1, 2, 3], [0.6512, 0.5833, 0.5601]],
      ['eval_accuracy', 'accuracy', 'val', [1, 2, 3], [0.612, 0.701, 0.733]],
      ['eval_f1', 'f1', 'val', [1, 2, 3], [0.6, 0.69, 0.72]],
    ]);
    expect(run!.notes).toContain("read as evaluation results, after the validation loss column: 'Accuracy' → eval_accuracy, 'F1' → eval_f1");
  });

  it('leaves a Keras-ordered table as it is: acc beside a bare loss is the training accuracy', () => {
    const [run] = plainCsvParser.parse('epoch,loss,val_loss,acc\n1,0.9,1.0,0.5\n2,0.8,0.9,0.6\n', 'k.csv');
    expect(run!.series.map((s) => [s.name, s.split])).toEqual([['loss', 'train'], ['val_loss', 'val'], ['acc', 'train']]);
  });
});

describe('plain CSV with several rows per epoch', () => {
  it('uses a global step column as x and keeps the epoch of each row', () => {
    const [run] = plainCsvParser.parse('epoch,step,loss\n0,1,3\n0,2,2.5\n1,3,2\n1,4,1.5\n', 'steps.csv');
    const loss = run!.series[0]!;
    expect(loss).toMatchObject({ cadence: 'step' });
    expect(Array.from(loss.steps)).toEqual([1, 2, 3, 4]);
    expect(Array.from(loss.epochs!)).toEqual([0, 0, 1, 1]);
    expect(run!.notes).toEqual([]);
  });

  it('numbers rows when the batch index restarts every epoch (not appended runs, not resumes)', () => {
    const [run, ...more] = plainCsvParser.parse('epoch,batch,loss\n1,0,3\n1,1,2.5\n2,0,2\n2,1,1.5\n', 'batches.csv');
    expect(more).toHaveLength(0);
    const loss = run!.series[0]!;
    expect(Array.from(loss.steps)).toEqual([1, 2, 3, 4]);
    expect(Array.from(loss.epochs!)).toEqual([1, 1, 2, 2]);
    expect(run!.notes).toContain("several rows per epoch and 'batch' restarts every epoch: rows numbered as steps from 1");
  });

  it('keeps two columns with one name apart', () => {
    const [run] = plainCsvParser.parse('epoch,loss,loss\n1,3,4\n2,2,3\n', 'dup.csv');
    expect(run!.series.map((s) => [s.name, s.key])).toEqual([['loss', 'loss'], ['loss#2', 'loss#2']]);
    expect(run!.notes).toContain("column 'loss' appears 2 times: column 3 read as 'loss#2'");
  });
});
