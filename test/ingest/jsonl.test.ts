import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RunLog } from '../../src/domain/run.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { jsonlParser } from '../../src/ingest/jsonl.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { ingestErrorOf as ingestError, seriesNamed as series } from '../support/ingest-helpers.ts';

function parseOne(text: string): RunLog {
  const runs = jsonlParser.parse(text, 'work_dirs/log.json');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

// mmseg 0.x with an epoch-based runner: `iter` counts within the epoch, validation logs its batch count as `iter`.
const mmsegEpochBased = lines(
  { env_info: 'sys.platform: linux\nPython: 3.8', config: "model = dict(type='EncoderDecoder')\n", seed: 42, exp_name: 'fcn_r50' },
  { mode: 'train', epoch: 1, iter: 50, lr: 0.01, memory: 3000, data_time: 0.02, 'decode.loss_ce': 1.2, 'decode.acc_seg': 40.5, loss: 1.7, time: 0.5 },
  { mode: 'train', epoch: 1, iter: 100, lr: 0.0099, memory: 3000, data_time: 0.02, 'decode.loss_ce': 1.0, 'decode.acc_seg': 50.5, loss: 1.4, time: 0.5 },
  { mode: 'val', epoch: 1, iter: 20, lr: 0.0099, aAcc: 0.8, mIoU: 0.41, mAcc: 0.52 },
  { mode: 'train', epoch: 2, iter: 50, lr: 0.0098, memory: 3000, data_time: 0.02, 'decode.loss_ce': 0.9, 'decode.acc_seg': 60.5, loss: 1.2, time: 0.5 },
  { mode: 'train', epoch: 2, iter: 100, lr: 0.0097, memory: 3000, data_time: 0.02, 'decode.loss_ce': 0.8, 'decode.acc_seg': 65.0, loss: 1.1, time: 0.5 },
  { mode: 'val', epoch: 2, iter: 20, lr: 0.0097, aAcc: 0.85, mIoU: 0.47, mAcc: 0.58 },
);

describe('jsonlParser', () => {
  it('reads mmseg records: header to meta, mode → split, per-epoch iter rebuilt into global steps', () => {
    const run = parseOne(mmsegEpochBased);
    expect(run).toMatchObject({ name: 'log', format: 'jsonl', meta: { seed: 42, exp_name: 'fcn_r50' } });
    const loss = series(run, 'loss');
    expect(loss).toMatchObject({ key: 'loss', split: 'train', cadence: 'step' });
    expect([...loss.steps]).toEqual([50, 100, 150, 200]);
    expect([...loss.epochs!]).toEqual([1, 1, 2, 2]);
    expect([...loss.values]).toEqual([1.7, 1.4, 1.2, 1.1]);
    const miou = series(run, 'val_mIoU');
    expect(miou).toMatchObject({ key: 'miou', split: 'val' });
    expect([...miou.steps]).toEqual([100, 200]);
    expect([...miou.values]).toEqual([0.41, 0.47]);
    // lr only once (training), no bookkeeping series.
    expect(run.series.filter((s) => s.key === 'lr').map((s) => s.name)).toEqual(['lr']);
    expect(run.series.some((s) => /memory|data_time|^time$|seed/.test(s.name))).toBe(false);
    expect(run.notes.join(' ')).toMatch(/restarts every epoch/);
  });

  it('reads detectron2 metrics.json with global iterations and eval lines', () => {
    const run = parseOne(
      lines(
        { data_time: 0.01, eta_seconds: 100, iteration: 19, loss_cls: 0.6, lr: 0.0002, total_loss: 1.5, time: 0.3 },
        { data_time: 0.01, eta_seconds: 90, iteration: 39, loss_cls: 0.5, lr: 0.0004, total_loss: 1.2, time: 0.3 },
        { 'bbox/AP': 12.5, 'bbox/AP50': 30.1, iteration: 39 },
      ),
    );
    expect([...series(run, 'total_loss').steps]).toEqual([19, 39]);
    expect(series(run, 'total_loss').direction).toBe('lower');
    expect([...series(run, 'bbox/AP').steps]).toEqual([39]);
    expect(run.series.some((s) => s.name === 'eta_seconds')).toBe(false);
  });

  it('reads per-epoch records without a step counter as epoch cadence, NaN tokens included', () => {
    const run = parseOne('{"epoch": 1, "loss": 0.9, "val_loss": NaN}\n{"epoch": 2, "loss": 0.7, "val_loss": 0.8}\n');
    expect(series(run, 'loss').cadence).toBe('epoch');
    expect([...series(run, 'val_loss').steps]).toEqual([1, 2]);
    expect(series(run, 'val_loss').values[0]).toBeNaN();
  });

  it('a bad line is an IngestError naming that line and column', () => {
    const text = '{"step": 1, "loss": 1.0}\n\n{"step": 2, "loss": 0.9}\n{"step": 3, "loss": 0.8,, }\n{"step": 4, "loss": 0.7}\n';
    const e = ingestError(() => jsonlParser.parse(text, 'metrics.jsonl'));
    expect(e.file).toBe('metrics.jsonl');
    expect(e.line).toBe(4);
    expect(e.reason).toMatch(/^column 25: expected a '"'-quoted property name/);
    const notObject = ingestError(() => jsonlParser.parse('{"step": 1, "loss": 1}\n[1, 2]\n', 'm.jsonl'));
    expect(notObject.line).toBe(2);
    expect(notObject.reason).toContain('expected a JSON object');
  });

  it('skips an unterminated last line (a run still writing) with a note', () => {
    const run = parseOne('{"step": 1, "loss": 1.0}\n{"step": 2, "loss": 0.9}\n{"step": 3, "lo');
    expect([...series(run, 'loss').steps]).toEqual([1, 2]);
    expect(run.notes.join(' ')).toMatch(/line 3 is incomplete/);
  });

  it('refuses files without records or numbers', () => {
    expect(ingestError(() => jsonlParser.parse('\n\n', 'm.jsonl')).reason).toContain('no metric records');
    expect(ingestError(() => jsonlParser.parse('{"mode": "train", "name": "x"}\n', 'm.jsonl')).reason).toContain('no numeric metric fields');
  });

  it('sniffs JSONL and leaves single JSON documents to the other parsers', () => {
    expect(jsonlParser.sniff(mmsegEpochBased)).toBe(true);
    expect(jsonlParser.sniff('{"step": 1, "loss": 1.0}\n{"step": 2, "loss": NaN}\n')).toBe(true);
    expect(jsonlParser.sniff('{"epoch": 1, "loss": 0.5}')).toBe(true); // a one-record file
    expect(jsonlParser.sniff('{\n  "loss": [1, 2]\n}')).toBe(false);
    expect(jsonlParser.sniff('[{"epoch": 1, "loss": 0.5}]')).toBe(false);
    expect(jsonlParser.sniff('epoch,loss\n1,0.5\n')).toBe(false);
    expect(kerasHistoryParser.sniff(mmsegEpochBased)).toBe(false);
    expect(jsonRecordsParser.sniff(mmsegEpochBased)).toBe(false);
  });

  it('throws nothing but IngestError on mutated JSONL (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: mmsegEpochBased.length - 1 }), fc.string({ maxLength: 5 }), fc.nat(8), (at, insert, cut) => {
        const mutated = mmsegEpochBased.slice(0, at) + insert + mmsegEpochBased.slice(at + cut);
        try {
          jsonlParser.parse(mutated, 'm.jsonl');
        } catch (e) {
          expect(e).toBeInstanceOf(IngestError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('jsonlParser.sniff on JSONL that is not a metric log', () => {
  it('leaves dataset records and one-line configs alone', () => {
    expect(jsonlParser.sniff('{"text": "great film", "label": 1}\n{"text": "dull", "label": 0}\n')).toBe(false);
    expect(jsonlParser.sniff('{"model": "resnet", "layers": 18}')).toBe(false);
    expect(jsonlParser.sniff('{"epoch": 1, "train": {"loss": 0.5}}\n{"epoch": 2, "train": {"loss": 0.4}}\n')).toBe(true);
  });
});
