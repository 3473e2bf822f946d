import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { jsonlParser } from '../../src/ingest/jsonl.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { countEpochs } from '../../src/domain/epochs.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';
import { ingestErrorOf as ingestError, seriesNamed as series } from '../support/ingest-helpers.ts';

describe('jsonRecordsParser (hand-written cases)', () => {
  it('reads a list of per-epoch records keyed by their epoch', () => {
    const [run] = jsonRecordsParser.parse(
      JSON.stringify([
        { epoch: 1, loss: 0.9, accuracy: 71.5, val_loss: 1.0, val_accuracy: 65, note: 'warmup' },
        { epoch: 2, loss: 0.6, accuracy: 80.25, val_loss: 0.8, val_accuracy: 74, note: '' },
      ]),
      'runs/history.json',
    );
    expect(run!).toMatchObject({ name: 'history', format: 'keras_history' });
    const loss = series(run!, 'loss');
    expect(loss).toMatchObject({ key: 'loss', split: 'train', cadence: 'epoch' });
    expect([...loss.steps]).toEqual([1, 2]);
    expect([...loss.epochs!]).toEqual([1, 2]);
    // Percent accuracy is scaled by the shared builder.
    expect([...series(run!, 'accuracy').values]).toEqual([0.715, 0.8025]);
    expect(run!.series.some((s) => s.name === 'note')).toBe(false);
    expect(run!.notes.join(' ')).toMatch(/fields without numeric values ignored: note/);
  });

  it('numbers records without an epoch from 0 and flattens nested {train: {...}, val: {...}} records', () => {
    const [run] = jsonRecordsParser.parse(JSON.stringify([{ train: { loss: 1 }, val: { loss: 1.2 } }, { train: { loss: 0.5 }, val: { loss: 0.9 } }]), 'h.json');
    expect(run!.series.map((s) => `${s.name}:${s.key}/${s.split}`)).toEqual(['train/loss:loss/train', 'val/loss:loss/val']);
    expect([...series(run!, 'val/loss').steps]).toEqual([0, 1]);
  });

  it('names the JSON path of a record that is not an object', () => {
    const e = ingestError(() => jsonRecordsParser.parse('[{"epoch": 1, "loss": 1}, 7]', 'h.json'));
    expect(e.path).toBe('$[1]');
    expect(e.reason).toContain('expected an object');
    expect(ingestError(() => jsonRecordsParser.parse('[]', 'h.json')).reason).toContain('empty list');
    expect(ingestError(() => jsonRecordsParser.parse('[{"epoch": 1, "name": "a"}]', 'h.json')).reason).toContain('no numeric metric fields');
  });

  it('sniffs record lists only', () => {
    expect(jsonRecordsParser.sniff('[\n  {\n    "epoch": 1,\n    "loss": 0.15\n  }\n]')).toBe(true);
    expect(jsonRecordsParser.sniff('[{"name": "alice", "age": 3}]')).toBe(false);
    expect(jsonRecordsParser.sniff('{"loss": [1]}')).toBe(false);
    expect(jsonRecordsParser.sniff('[[1, 2]]')).toBe(false);
  });
});

describe.skipIf(REAL_LOGS_DIR === null)('jsonRecordsParser on the real logs', () => {
  it('045: 14 per-epoch records, 1-based epochs, values rounded to 4 dp', () => {
    const text = readFileSync(path.join(REAL_LOGS_DIR!, '045_json_epoch_records.json'), 'utf8');
    expect(jsonRecordsParser.sniff(text)).toBe(true);
    expect(kerasHistoryParser.sniff(text)).toBe(false);
    expect(jsonlParser.sniff(text)).toBe(false);
    const runs = jsonRecordsParser.parse(text, '045_json_epoch_records.json');
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.series.map((s) => s.name)).toEqual(['loss', 'accuracy', 'auc', 'precision', 'val_loss', 'val_accuracy', 'val_auc', 'val_precision']);
    const loss = series(run, 'loss');
    expect([loss.values.length, loss.values[0], loss.values[13], loss.steps[0], loss.steps[13]]).toEqual([14, 0.1569, 0.0192, 1, 14]);
    const val = series(run, 'val_loss');
    expect([val.values[0], val.values[13]]).toEqual([0.1734, 0.0314]);
    expect([series(run, 'val_accuracy').values[0], series(run, 'val_accuracy').values[13]]).toEqual([0.9285, 0.986]);
    expect(series(run, 'val_auc')).toMatchObject({ key: 'auc', split: 'val', direction: 'higher' });
    expect(countEpochs(run.series)).toBe(14);
  });
});
