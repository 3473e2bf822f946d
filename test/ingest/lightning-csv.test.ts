import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { lightningCsvParser } from '../../src/ingest/lightning-csv.ts';

const parse = (text: string) => lightningCsvParser.parse(text, 'lightning_logs/version_0/metrics.csv');

describe('Lightning metrics.csv', () => {
  it('sniffs step+epoch headers, lr-* and _step/_epoch columns', () => {
    expect(lightningCsvParser.sniff('epoch,step,train_loss\n0,49,0.6\n')).toBe(true);
    expect(lightningCsvParser.sniff('lr-AdamW,step,train_loss_step\n0.1,9,1\n')).toBe(true);
    expect(lightningCsvParser.sniff('epoch,loss\n0,1\n')).toBe(false);
  });

  it('reads sparse rows: a point only where a cell is filled, step as x, epoch kept', () => {
    const [run] = parse('epoch,step,train_loss,val_loss,val_acc\n0,49,0.6,,\n0,99,0.5,,\n0,99,,0.4,0.9\n1,149,0.3,,\n1,199,,0.35,0.92\n');
    expect(run!.name).toBe('metrics');
    const train = seriesNamed(run!, 'train_loss');
    expect(Array.from(train.steps)).toEqual([49, 99, 149]);
    expect(Array.from(train.epochs!)).toEqual([0, 0, 1]);
    expect(train.cadence).toBe('step');
    expect(seriesNamed(run!, 'val_loss')).toMatchObject({ key: 'loss', split: 'val', cadence: 'epoch' });
    expect(Array.from(seriesNamed(run!, 'val_loss').values)).toEqual([0.4, 0.35]);
  });

  it('takes the cadence from _step/_epoch suffixes', () => {
    const [run] = parse('epoch,step,train_loss_step,train_loss_epoch\n0,9,1.0,\n0,19,0.9,\n0,19,,0.95\n');
    expect(seriesNamed(run!, 'train_loss_step')).toMatchObject({ key: 'loss', split: 'train', cadence: 'step' });
    expect(seriesNamed(run!, 'train_loss_epoch')).toMatchObject({ key: 'loss', split: 'train', cadence: 'epoch' });
  });

  it('a step,epoch table whose epoch is fractional progress (step / steps per epoch) is per step, its epoch-end columns per epoch', () => {
    const rows = ['step,epoch,batch_loss,loss,val_loss'];
    for (let s = 1; s <= 12; s++) rows.push(`${s},${s / 4},${1 / s},${s % 4 === 0 ? 1 / s : ''},${s % 4 === 0 ? 2 / s : ''}`);
    const [run] = parse(rows.join('\n') + '\n');
    expect(seriesNamed(run!, 'batch_loss')).toMatchObject({ key: 'loss', split: 'train', cadence: 'step' });
    expect(seriesNamed(run!, 'loss').cadence).toBe('epoch');
    expect(seriesNamed(run!, 'val_loss').cadence).toBe('epoch');
  });

  it('reads lr-AdamW rows with an empty epoch and drops duplicated rows with a note', () => {
    const [run] = parse('epoch,lr-AdamW,step,train_loss\n,0.001,9,\n,0.001,9,\n0,,9,1.5\n,0.0005,19,\n,0.0005,19,\n0,,19,1.2\n');
    const lr = seriesNamed(run!, 'lr-AdamW');
    expect(lr).toMatchObject({ key: 'lr', split: 'train', epochs: null });
    expect(Array.from(lr.values)).toEqual([0.001, 0.0005]);
    expect(run!.notes).toContain('lr-AdamW: 2 duplicate row(s) (same step, same value) dropped');
  });

  it('keeps trailing test rows as test, alongside validation', () => {
    const [run] = parse('epoch,step,test_loss,train_loss,val_loss\n0,49,,0.6,\n0,49,,,0.5\n1,50,0.45,,\n');
    expect(seriesNamed(run!, 'test_loss')).toMatchObject({ split: 'test' });
    expect(seriesNamed(run!, 'val_loss')).toMatchObject({ split: 'val' });
  });

  it('uses test as validation when there is no validation, saying so', () => {
    const [run] = parse('epoch,step,test_loss,train_loss\n0,49,,0.6\n1,50,0.45,\n');
    expect(seriesNamed(run!, 'test_loss').split).toBe('val');
    expect(run!.notes.join(' ')).toMatch(/no validation series: test_loss used as validation/);
  });

  it('resumed run: when the step goes back, the later values replace the earlier ones', () => {
    const [run] = parse('epoch,step,train_loss\n0,10,1.0\n0,20,0.9\n1,30,0.8\n1,40,0.7\n1,30,0.75\n1,40,0.65\n2,50,0.6\n');
    const t = seriesNamed(run!, 'train_loss');
    expect(Array.from(t.steps)).toEqual([10, 20, 30, 40, 50]);
    expect(Array.from(t.values)).toEqual([1.0, 0.9, 0.75, 0.65, 0.6]);
    expect(run!.notes.join(' ')).toMatch(/step goes back from 40 to 30 \(resumed run\): its 2 earlier point\(s\)/);
  });

  it('keeps odd column names as their own metrics', () => {
    const [run] = parse('train_loss,out_tensor([0.]),epoch,step\n0.9,0.04,24,49\n0.8,0.07,49,99\n');
    expect(seriesNamed(run!, 'out_tensor([0.])')).toMatchObject({ key: 'out_tensor([0.])', split: 'train' });
  });

  it('fails on a row without a step, naming the line', () => {
    expect(() => parse('epoch,step,train_loss\n0,9,1\n0,,2\n')).toThrow(/metrics\.csv:3: column 'step': expected a finite number, found an empty cell/);
  });
});
