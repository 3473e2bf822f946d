import { describe, expect, it } from 'vitest';
import { ColumnBuffer } from '../../src/ingest/column-buffer.ts';
import { parseMetricText, toMetricValue } from '../../src/ingest/metric-value.ts';
import { runNameFromFileName } from '../../src/ingest/run-name-from-file-name.ts';
import { SeriesBuilder } from '../../src/ingest/series-builder.ts';

describe('toMetricValue', () => {
  it.each([
    [0.25, 0.25], ['0.25', 0.25], [' 1e-4 ', 1e-4], ['-3', -3], ['.5', 0.5], ['Infinity', Infinity], ['-inf', -Infinity], ['+inf', Infinity],
  ])('%j → %d', (input, expected) => expect(toMetricValue(input)).toBe(expected));

  it.each([['nan'], ['NaN'], ['NA'], [NaN]])('%j → NaN (a symptom, kept)', (input) => expect(toMetricValue(input)).toBeNaN());

  it.each([[null], [true], [''], ['0x10'], ['12abc'], ['fast'], [[1]], [{ v: 1 }], [undefined]])('%j is not a measurement', (input) => {
    expect(toMetricValue(input)).toBeUndefined();
  });

  it('parseMetricText rejects text JavaScript would coerce (hex, binary, blanks)', () => {
    expect(parseMetricText('0b11')).toBeUndefined();
    expect(parseMetricText('   ')).toBeUndefined();
    expect(parseMetricText('1.')).toBe(1);
  });
});

describe('runNameFromFileName', () => {
  it.each([
    ['results/checkpoint-500/trainer_state.json', 'trainer_state'],
    ['C:\\runs\\history.json', 'history'],
    ['.hidden', '.hidden'],
    ['', 'run'],
  ])('%j → %j', (input, expected) => expect(runNameFromFileName(input)).toBe(expected));
});

describe('ColumnBuffer', () => {
  it('grows past its initial capacity and hands exactly the pushed points to the builder', () => {
    const col = new ColumnBuffer(2);
    for (let i = 0; i < 1000; i++) col.push(i * 10, i / 1000, i / 100);
    expect(col.length).toBe(1000);
    const builder = new SeriesBuilder();
    col.flushInto(builder, 'val_loss');
    const [s] = builder.build('step', []);
    expect(s).toMatchObject({ key: 'loss', split: 'val', name: 'val_loss' });
    expect([s!.steps.length, s!.steps[999], s!.values[999], s!.epochs![999]]).toEqual([1000, 9990, 0.999, 9.99]);
  });
});
