import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { jsonlParser } from '../../src/ingest/jsonl.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { countEpochs } from '../../src/domain/epochs.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';
import { ingestErrorOf as ingestError, seriesNamed as series } from '../support/ingest-helpers.ts';

function parseOne(text: string, file = 'history.json'): RunLog {
  const runs = kerasHistoryParser.parse(text, file);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe('kerasHistoryParser (hand-written cases)', () => {
  it('reads {loss: [...], val_loss: [...]} as per-epoch series numbered from 0', () => {
    const run = parseOne('{"loss": [0.9, 0.7, 0.5], "acc": [0.5, 0.6, 0.7], "val_loss": [1.0, 0.8, 0.75], "val_acc": [0.4, 0.5, 0.55], "lr": [0.001, 0.001, 0.0005]}', 'models/history.json');
    expect(run).toMatchObject({ name: 'history', format: 'keras_history' });
    expect(run.series.map((s) => `${s.name}:${s.key}/${s.split}/${s.cadence}`)).toEqual([
      'loss:loss/train/epoch', 'acc:accuracy/train/epoch', 'val_loss:loss/val/epoch', 'val_acc:accuracy/val/epoch', 'lr:lr/train/epoch',
    ]);
    expect([...series(run, 'val_loss').steps]).toEqual([0, 1, 2]);
    expect([...series(run, 'val_loss').epochs!]).toEqual([0, 1, 2]);
    expect(countEpochs(run.series)).toBe(3);
  });

  it('reads the tfjs model.fit() result {epoch, history} with its epoch numbers', () => {
    const run = parseOne(JSON.stringify({ epoch: [0, 1, 2, 3], history: { loss: [1, 0.8, 0.6, 0.5], val_loss: [1.1, 0.9, 0.8, 0.85] }, params: { epochs: 4 } }));
    expect(run.meta).toMatchObject({ framework: 'tfjs', params: { epochs: 4 } });
    expect([...series(run, 'loss').steps]).toEqual([0, 1, 2, 3]);
    expect([...series(run, 'val_loss').values]).toEqual([1.1, 0.9, 0.8, 0.85]);
  });

  it('reads NaN and Infinity (bare tokens and strings) as data, and null as a missing point', () => {
    const run = parseOne('{"loss": [1.0, NaN, Infinity, "nan", null, 0.5]}');
    const loss = series(run, 'loss');
    expect([...loss.steps]).toEqual([0, 1, 2, 3, 5]);
    expect(loss.values[1]).toBeNaN();
    expect(loss.values[2]).toBe(Infinity);
    expect(loss.values[3]).toBeNaN();
  });

  it('spreads a shorter validation array over the epochs when it divides them (validation_freq)', () => {
    const run = parseOne('{"loss": [6, 5, 4, 3, 2, 1], "val_loss": [5.5, 3.5, 1.5]}');
    expect([...series(run, 'val_loss').steps]).toEqual([1, 3, 5]);
    expect(run.notes.join(' ')).toMatch(/validation every 2 epochs/);
    const uneven = parseOne('{"loss": [6, 5, 4, 3], "val_loss": [5.5, 3.5, 1.5]}');
    expect([...series(uneven, 'val_loss').steps]).toEqual([0, 1, 2]);
    expect(uneven.notes.join(' ')).toMatch(/aligned to the first 3 epochs/);
  });

  it('names the JSON path of a value that is not a number', () => {
    const e = ingestError(() => kerasHistoryParser.parse('{"loss": [1, 0.5], "val loss": [1, "high"]}', 'h.json'));
    expect(e.path).toBe('$["val loss"][1]');
    expect(e.reason).toContain('expected a number');
  });

  it('skips per-epoch vectors (per-class metrics) with a note instead of refusing the file', () => {
    const run = parseOne('{"loss": [1, 0.5], "per_class_recall": [[0.1, 0.9], [0.4, 0.8]]}');
    expect(run.series.map((s) => s.name)).toEqual(['loss']);
    expect(run.notes.join(' ')).toMatch(/per_class_recall: nested values per epoch/);
  });

  it('refuses a history without metric arrays and a non-object', () => {
    expect(ingestError(() => kerasHistoryParser.parse('{"params": {"epochs": 3}}', 'h.json')).reason).toContain('no metric arrays');
    expect(ingestError(() => kerasHistoryParser.parse('[1, 2]', 'h.json')).path).toBe('$');
  });

  it('sniffs histories (pretty, one-line, tfjs) and not records, JSONL or trainer states', () => {
    expect(kerasHistoryParser.sniff('{\n  "accuracy": [\n    0.41, 0.53,\n    0.59\n  ],\n  "loss": [3.8, 1.0, 0.9]\n}')).toBe(true);
    expect(kerasHistoryParser.sniff('{"loss": [NaN, 1]}')).toBe(true);
    expect(kerasHistoryParser.sniff('{"history": {"loss": [1, 0.5]}, "epoch": [0, 1]}')).toBe(true);
    expect(kerasHistoryParser.sniff('[{"epoch": 1, "loss": 0.5}]')).toBe(false);
    expect(kerasHistoryParser.sniff('{"epoch": 1, "loss": 0.5}\n{"epoch": 2, "loss": 0.4}\n')).toBe(false);
    expect(kerasHistoryParser.sniff('{"best_metric": null, "global_step": 5, "log_history": [{"loss": 1, "step": 5}]}')).toBe(false);
    expect(jsonlParser.sniff('{"loss": [0.9, 0.7], "val_loss": [1.0, 0.8]}')).toBe(false);
    expect(jsonRecordsParser.sniff('{"loss": [0.9, 0.7], "val_loss": [1.0, 0.8]}')).toBe(false);
  });
});

describe.skipIf(REAL_LOGS_DIR === null)('kerasHistoryParser on the real logs', () => {
  const load = (file: string): RunLog => {
    const text = readFileSync(path.join(REAL_LOGS_DIR!, file), 'utf8');
    expect(kerasHistoryParser.sniff(text)).toBe(true);
    expect(jsonlParser.sniff(text)).toBe(false);
    expect(jsonRecordsParser.sniff(text)).toBe(false);
    return parseOne(text, file);
  };
  const ends = (s: Series) => ({ n: s.values.length, first: s.values[0], last: s.values[s.values.length - 1] });

  it('036: arrays wrapped over lines, learning_rate column, val_loss minimum at epoch 15', () => {
    const run = load('036_keras_history.json');
    expect(run.series.map((s) => s.name)).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss', 'learning_rate']);
    expect(ends(series(run, 'loss'))).toEqual({ n: 30, first: 3.8498194217681885, last: 0.13551731407642365 });
    const val = series(run, 'val_loss');
    expect(ends(val)).toEqual({ n: 30, first: 1.1121315956115723, last: 0.49090835452079773 });
    expect(val.values[15]).toBe(0.38106316328048706);
    expect(Math.min(...val.values)).toBe(0.38106316328048706);
    expect(series(run, 'learning_rate')).toMatchObject({ key: 'lr', split: 'train' });
    expect(series(run, 'learning_rate').values[29]).toBe(7.812500371073838e-6);
    expect(countEpochs(run.series)).toBe(30);
  });

  it('039: one-line history', () => {
    const run = load('039_keras_history.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 10, first: 0.4763399660587311, last: 0.06568436324596405 });
    expect(ends(series(run, 'val_loss'))).toEqual({ n: 10, first: 0.18213574588298798, last: 0.07359225302934647 });
    expect(series(run, 'val_accuracy')).toMatchObject({ key: 'accuracy', split: 'val', direction: 'higher' });
  });

  it('041: loss and val_loss only, values around 1e-4', () => {
    const run = load('041_keras_history.json');
    expect(run.series.map((s) => s.name)).toEqual(['loss', 'val_loss']);
    expect(ends(series(run, 'loss'))).toEqual({ n: 15, first: 0.002030816162005067, last: 8.717608579900116e-5 });
    expect(ends(series(run, 'val_loss'))).toEqual({ n: 15, first: 0.0005766652175225317, last: 0.0004287613555788994 });
  });

  it('052: a huge first val_loss (2213.7) is kept as it is', () => {
    const run = load('052_keras_history.json');
    const val = series(run, 'val_loss');
    expect(ends(val)).toEqual({ n: 12, first: 2213.694580078125, last: 0.5007736086845398 });
    expect(val.values[8]).toBe(0.4382615089416504);
    expect(ends(series(run, 'loss'))).toEqual({ n: 12, first: 0.7944433093070984, last: 0.2920074760913849 });
    expect(run.notes).toEqual([]);
  });
});
