/**
 * The variants of structured logs the real libraries produced (test/fixtures/structured) that were read wrong, each
 * as a small hand-written case beside its refusals: pandas' to_json layouts of a History, records kept under a key of
 * an object, the Trainer logging once per epoch, numbered records, percent cells, units in headers, sparse rows at
 * one step, History's columns with `epoch` appended.
 */
import { describe, expect, it } from 'vitest';
import { parseFile, sniffText } from '../../src/ingest/index.ts';
import { hfTrainerStateParser } from '../../src/ingest/hf-trainer-state.ts';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { isKerasHeader } from '../../src/ingest/keras-csv.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { withoutUnit } from '../../src/ingest/column-unit.ts';
import { openText } from '../../src/ingest/decode.ts';
import { ingestErrorOf as ingestError, seriesNamed as series } from '../support/ingest-helpers.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const read = (text: string, name: string) => parseFile(bytes(text), name);
const sniffed = (text: string) => sniffText(openText(bytes(text), 'x'))?.format ?? null;

describe('a History saved through pandas to_json', () => {
  const columns = '{"loss":{"0":0.9,"1":0.5,"2":0.4},"val_loss":{"0":1.0,"1":0.7,"2":null}}';
  const index = '{"0":{"loss":0.9,"val_loss":1.0},"1":{"loss":0.5,"val_loss":0.7},"2":{"loss":0.4}}';

  it("reads orient='columns' (the default) and orient='index' as per-epoch series numbered by the index", () => {
    for (const text of [columns, index]) {
      const [run] = read(text, 'history.json');
      expect(run!.format).toBe('keras_history');
      expect(series(run!, 'loss')).toMatchObject({ key: 'loss', split: 'train', cadence: 'epoch' });
      expect([...series(run!, 'loss').values]).toEqual([0.9, 0.5, 0.4]);
      expect([...series(run!, 'loss').epochs!]).toEqual([0, 1, 2]);
      // null (pandas' NaN of a shorter column) and a row without the column are missing points.
      expect([...series(run!, 'val_loss').steps]).toEqual([0, 1]);
    }
  });

  it('numbers the rows by the index labels, or by the frame’s own epoch column', () => {
    const [labelled] = read('{"loss":{"1":0.9,"2":0.5}}', 'h.json');
    expect([...series(labelled!, 'loss').epochs!]).toEqual([1, 2]);
    const [own] = read('{"loss":{"0":0.9,"1":0.5},"epoch":{"0":5,"1":6}}', 'h.json');
    expect([...series(own!, 'loss').epochs!]).toEqual([5, 6]);
  });

  it('names the JSON path of a value that is not a number in either layout', () => {
    expect(ingestError(() => read('{"loss":{"0":0.9,"1":"oops"}}', 'h.json')).path).toBe('$.loss["1"]');
    expect(ingestError(() => read('{"0":{"loss":0.9},"1":{"loss":[1]}}', 'h.json')).path).toBe('$["1"].loss');
  });

  it('leaves frames that are no training history alone (a classification report, per-class numbers)', () => {
    expect(kerasHistoryParser.sniff('{"0":{"precision":0.9,"recall":0.8,"f1-score":0.85,"support":30},"accuracy":0.9}')).toBe(false);
    expect(kerasHistoryParser.sniff('{"precision":{"0":0.9,"1":0.8},"recall":{"0":0.7,"1":0.6}}')).toBe(false);
  });
});

describe('per-epoch records kept under a key of an object', () => {
  const text = JSON.stringify({ config: { lr: 0.1, epochs: 2 }, history: [{ epoch: 1, loss: 0.9, val_loss: 1.0 }, { epoch: 2, loss: 0.5, val_loss: 0.7 }] }, null, 2);

  it('reads the records and keeps the rest as meta', () => {
    const [run] = read(text, 'log.json');
    expect(run!.format).toBe('keras_history');
    expect([...series(run!, 'val_loss').values]).toEqual([1.0, 0.7]);
    expect([...series(run!, 'val_loss').epochs!]).toEqual([1, 2]);
    expect(run!.meta!.config).toEqual({ lr: 0.1, epochs: 2 });
    expect(run!.notes).toContain('records read from "history"; 1 other key(s) kept as meta');
  });

  it('names the JSON path of a record that is not an object', () => {
    const e = ingestError(() => read('{"history": [{"epoch": 1, "loss": 0.9}, 3]}', 'log.json'));
    expect(e.path).toBe('$.history[1]');
    expect(e.reason).toContain('expected an object');
  });

  it('does not take other lists of objects (a schedule) or the Trainer’s log_history', () => {
    expect(jsonRecordsParser.sniff('{"schedule": [{"epoch": 10, "lr": 0.01}], "model": "resnet"}')).toBe(false);
    expect(jsonRecordsParser.sniff('{"log_history": [{"epoch": 1, "loss": 0.5, "step": 10}], "global_step": 10}')).toBe(false);
  });
});

describe('records without an epoch or a step', () => {
  it('are numbered as epochs from 0, epochs included', () => {
    const [run] = read('[{"loss": 0.9}, {"loss": 0.5}]', 'h.json');
    expect(series(run!, 'loss')).toMatchObject({ cadence: 'epoch' });
    expect([...series(run!, 'loss').epochs!]).toEqual([0, 1]);
  });
});

describe("the Trainer's log entries once per epoch", () => {
  const state = (entries: object[]) => JSON.stringify({ global_step: 30, log_history: entries });

  it("are per epoch (logging_strategy='epoch'), training entries as well as evaluations", () => {
    const [run] = hfTrainerStateParser.parse(
      state([
        { epoch: 1, step: 10, loss: 0.9, learning_rate: 1e-3 },
        { epoch: 1, step: 10, eval_loss: 1.0 },
        { epoch: 2, step: 20, loss: 0.5, learning_rate: 5e-4 },
        { epoch: 2, step: 20, eval_loss: 0.8 },
      ]),
      'trainer_state.json',
    );
    expect(run!.series.map((s) => `${s.name}:${s.cadence}`)).toEqual(['loss:epoch', 'learning_rate:epoch', 'eval_loss:epoch']);
  });

  it('stay per step when logged every few steps', () => {
    const [run] = hfTrainerStateParser.parse(
      state([
        { epoch: 0.5, step: 5, loss: 0.9 },
        { epoch: 1, step: 10, loss: 0.8 },
        { epoch: 1, step: 10, eval_loss: 1.0 },
        { epoch: 1.5, step: 15, loss: 0.6 },
        { epoch: 2, step: 20, loss: 0.5 },
        { epoch: 2, step: 20, eval_loss: 0.8 },
      ]),
      'trainer_state.json',
    );
    expect(run!.series.map((s) => `${s.name}:${s.cadence}`)).toEqual(['loss:step', 'eval_loss:epoch']);
  });
});

describe('hand-written tables', () => {
  it('read cells written with a percent sign as fractions, saying so', () => {
    const [run] = read('epoch,loss,val_acc\n1,0.9,40.5%\n2,0.5,87.25 %\n', 'log.csv');
    expect([...series(run!, 'val_acc').values]).toEqual([0.405, 0.8725]);
    expect(run!.notes).toContain("column 'val_acc': 2 value(s) written with % read as fractions");
  });

  it('name a column by its name without the unit after it, and keep the header as the series name', () => {
    expect(['Train Acc (%)', 'Val Acc [%]', 'Accuracy %', 'Time (s)', 'LR (x1e-3)', '(%)'].map(withoutUnit)).toEqual(['Train Acc', 'Val Acc', 'Accuracy', 'Time', 'LR (x1e-3)', '(%)']);
    const [run] = read('Epoch,Train Loss,Val Loss,Val Acc (%),Time (s)\n1,0.9,1.0,40.5,3.2\n2,0.5,0.7,80.0,3.1\n', 'log.csv');
    expect(series(run!, 'Val Acc (%)')).toMatchObject({ key: 'accuracy', split: 'val' });
    expect([...series(run!, 'Val Acc (%)').values]).toEqual([0.405, 0.8]);
    // The time column with its unit is bookkeeping, as `time` is.
    expect(run!.series.map((s) => s.name)).not.toContain('Time (s)');
  });

  it('read a row at the step of the row before, each with its own cells filled, as one record in two rows', () => {
    const [run] = read('step,train_loss,val_loss\n4,0.9,\n8,0.7,\n8,,1.0\n12,0.5,\n16,0.4,\n16,,0.8\n', 'log.csv');
    expect([...series(run!, 'train_loss').steps]).toEqual([4, 8, 12, 16]);
    expect([...series(run!, 'val_loss').steps]).toEqual([8, 16]);
    expect(run!.notes.join(' ')).not.toMatch(/resumed/);
  });

  it('still read a row at the same step with the same cells filled as a resume: the later row wins', () => {
    const [run] = read('step,train_loss,val_loss\n4,0.9,1.1\n8,0.7,1.0\n8,0.6,0.95\n12,0.5,0.9\n', 'log.csv');
    expect([...series(run!, 'train_loss').values]).toEqual([0.9, 0.6, 0.5]);
    expect(run!.notes.join(' ')).toMatch(/resumed run/);
  });

  it("take History's columns with epoch appended (hist['epoch'] = history.epoch) as Keras'", () => {
    expect(isKerasHeader(['loss', 'mae', 'val_loss', 'val_mae', 'epoch'])).toBe(true);
    expect(isKerasHeader(['Loss', 'Val Loss', 'epoch'])).toBe(false);
    expect(isKerasHeader(['loss', 'val_loss', 'time', 'epoch', 'epoch'])).toBe(false);
    expect(isKerasHeader(['train_loss', 'val_loss', 'epoch'])).toBe(false);
    const [run] = read('loss,val_loss,epoch\n0.9,1.0,0\n0.5,0.7,1\n', 'h.csv');
    expect(run!.format).toBe('keras_csv');
    expect([...series(run!, 'val_loss').epochs!]).toEqual([0, 1]);
  });
});

describe('sniffing the variants', () => {
  it('sends each to its reader', () => {
    expect(sniffed('{"loss":{"0":0.9,"1":0.5}}')).toBe('keras_history');
    expect(sniffed('{"0":{"loss":0.9},"1":{"loss":0.5}}')).toBe('keras_history');
    expect(sniffed('{"args": {"lr": 0.1}, "train_history": [{"epoch": 1, "loss": 0.5}]}')).toBe('keras_history');
    expect(sniffed('{"log_history": [{"epoch": 1, "loss": 0.5, "step": 10}], "global_step": 10}')).toBe('hf_trainer_state');
  });
});
