import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { openText } from '../../src/ingest/decode.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { kerasCsvParser } from '../../src/ingest/keras-csv.ts';

const parse = (text: string, name = 'training.log') => kerasCsvParser.parse(text, name);

describe('Keras CSVLogger', () => {
  it('sniffs epoch-first headers with a loss column, not Lightning or plain tables', () => {
    expect(kerasCsvParser.sniff('epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1,0.4,1.2\n')).toBe(true);
    expect(kerasCsvParser.sniff(',loss,val_loss\n0,1,1.2\n')).toBe(true); // pandas index
    expect(kerasCsvParser.sniff('epoch,step,train_loss\n0,9,1\n')).toBe(false);
    expect(kerasCsvParser.sniff('epoch,train_loss,test_loss\n1,1,1\n')).toBe(false);
  });

  it('reads epochs (0-based), metrics, splits and cadence', () => {
    const [run] = parse('epoch,acc,loss,lr,val_acc,val_loss\n0,0.5,1.0,0.001,0.4,1.1\n1,0.6,0.8,0.001,0.5,0.9\n');
    expect(run!.name).toBe('training');
    expect(run!.format).toBe('keras_csv');
    const loss = seriesNamed(run!, 'loss');
    expect(loss).toMatchObject({ key: 'loss', split: 'train', cadence: 'epoch', direction: 'lower' });
    expect(Array.from(loss.steps)).toEqual([0, 1]);
    expect(Array.from(loss.epochs!)).toEqual([0, 1]);
    expect(seriesNamed(run!, 'val_acc')).toMatchObject({ key: 'accuracy', split: 'val' });
    expect(seriesNamed(run!, 'lr')).toMatchObject({ key: 'lr', split: 'train' });
  });

  it('reads any separator with a title line and CRLF', () => {
    const [run] = parse('model_history_log\r\nepoch;accuracy;loss\r\n0;0.41;1.57\r\n1;0.87;0.40');
    expect(Array.from(seriesNamed(run!, 'loss').values)).toEqual([1.57, 0.4]);
    expect(run!.notes.join(' ')).toMatch(/title line before the header ignored: "model_history_log"/);
  });

  it('splits appended runs where the epoch resets into "<file> (run N)"', () => {
    const runs = parse('epoch,loss\n0,3\n1,2\n2,1\n0,5\n1,4\n0,9\n', 'hist.csv');
    expect(runs.map((r) => r.name)).toEqual(['hist', 'hist (run 2)', 'hist (run 3)']);
    expect(runs.map((r) => r.series[0]!.values.length)).toEqual([3, 2, 1]);
    expect(runs[0]!.notes.join(' ')).toMatch(/3 runs appended in one file \(epoch resets at lines 5, 7\)/);
  });

  it('treats a smaller step back as a resume: the later rows replace the earlier ones', () => {
    const [run, ...more] = parse('epoch,loss\n0,3\n1,2\n2,1.5\n3,1.2\n2,1.4\n3,1.1\n4,1.0\n');
    expect(more).toHaveLength(0);
    expect(Array.from(seriesNamed(run!, 'loss').steps)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(seriesNamed(run!, 'loss').values)).toEqual([3, 2, 1.4, 1.1, 1.0]);
    expect(run!.notes.join(' ')).toMatch(/goes back from 3 to 2 \(resumed run\)/);
  });

  it('notes a missing epoch row', () => {
    const [run] = parse('epoch,loss\n0,3\n1,2\n3,1\n');
    expect(run!.notes).toContain('epoch 2 missing (no row)');
    // A corrupt epoch must not make the gap count loop over every missing number.
    const [big] = parse('epoch,loss\n0,3\n1e300,2\n');
    expect(big!.notes).toContain('epoch 1, 2, 3, 4, 5 and 1e+300 more missing (no rows)');
  });

  it('keeps NaN/Inf as points, skips empty and NA cells', () => {
    const [run] = parse('epoch,loss,val_loss\n0,1,NA\n1,nan,0.5\n2,inf,\n');
    expect(Array.from(seriesNamed(run!, 'loss').values)).toEqual([1, NaN, Infinity]);
    expect(Array.from(seriesNamed(run!, 'val_loss').steps)).toEqual([1]);
  });

  it('numbers rows when a pandas index replaces the epoch column', () => {
    const [run] = parse(',loss,val_loss\n0,1,2\n1,0.5,1.5\n');
    expect(Array.from(seriesNamed(run!, 'loss').steps)).toEqual([0, 1]);
    expect(run!.series.map((s) => s.name)).toEqual(['loss', 'val_loss']);
  });

  it('fails with the line on a non-numeric epoch or metric cell', () => {
    expect(() => parse('epoch,loss\n0,1\nx,2\n')).toThrow(/training\.log:3: column 'epoch': expected a finite number, found 'x'/);
    expect(() => parse('epoch,loss\n0,1\n1,abc\n')).toThrow(/training\.log:3: column 'loss': expected a number, found 'abc'/);
  });

  it('fails on a header without a loss-like column, listing what it expected and found', () => {
    try {
      parse('epoch,accuracy\n0,0.5\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IngestError);
      expect((e as IngestError).reason).toMatch(/^no loss-like column: expected one of loss, val_loss, .* \(found: epoch, accuracy\)$/);
    }
  });

  it('parseSource (bytes) and parse (text) agree', () => {
    const text = 'title\nepoch;loss;val_loss\n0;1;2\n1;0,5;1,5\n0;9;9\n';
    const a = kerasCsvParser.parse(text, 'x.csv');
    const b = kerasCsvParser.parseSource!(openText(new TextEncoder().encode(text), 'x.csv'), 'x.csv');
    expect(b).toEqual(a);
  });
});

describe('Keras CSVLogger at scale', () => {
  it('handles a file where every epoch is logged twice in linear time', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${Math.floor(i / 2)},${i}`).join('\n');
    const [run] = kerasCsvParser.parse(`epoch,loss\n${rows}\n`, 'twice.csv');
    const loss = run!.series[0]!;
    expect(loss.values.length).toBe(10_000);
    expect(loss.values[0]).toBe(1); // the later of the two rows of epoch 0
    expect(run!.notes).toContain('10000 resumes in all');
  });
});
