import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunLog, Series } from '../../src/domain/run.ts';
import { hfTrainerStateParser } from '../../src/ingest/hf-trainer-state.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { jsonlParser } from '../../src/ingest/jsonl.ts';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';
import { seriesNamed as series } from '../support/ingest-helpers.ts';

function parse(obj: unknown): RunLog {
  const runs = hfTrainerStateParser.parse(JSON.stringify(obj, null, 2), 'trainer_state.json');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

const summary = { epoch: 2, step: 40, total_flos: 1e15, train_loss: 0.9, train_runtime: 12.3, train_samples_per_second: 40, train_steps_per_second: 3 };

describe('hfTrainerStateParser (hand-written cases)', () => {
  it('splits train and eval entries logged at different cadences, maps names, keeps the global step', () => {
    const run = parse({
      global_step: 40,
      best_metric: 0.7,
      best_model_checkpoint: 'out/checkpoint-20',
      log_history: [
        { epoch: 0.25, grad_norm: 3.1, learning_rate: 5e-5, loss: 2.0, step: 10 },
        { epoch: 0.5, grad_norm: 2.5, learning_rate: 4e-5, loss: 1.5, step: 20 },
        { epoch: 0.5, eval_loss: 1.7, eval_accuracy: 0.61, eval_runtime: 3.2, eval_samples_per_second: 100, eval_steps_per_second: 10, step: 20 },
        { epoch: 0.75, grad_norm: 2.0, learning_rate: 3e-5, loss: 1.2, step: 30 },
        { epoch: 1.0, grad_norm: 1.8, learning_rate: 2e-5, loss: 1.0, step: 40 },
        { epoch: 1.0, eval_loss: 1.4, eval_accuracy: 0.7, eval_runtime: 3.1, eval_samples_per_second: 100, eval_steps_per_second: 10, step: 40 },
        summary,
      ],
    });
    expect(run.format).toBe('hf_trainer_state');
    expect(run.series.map((s) => `${s.name}:${s.key}/${s.split}/${s.cadence}`).sort()).toEqual([
      'eval_accuracy:accuracy/val/step',
      'eval_loss:loss/val/step',
      'grad_norm:grad_norm/train/step',
      'learning_rate:lr/train/step',
      'loss:loss/train/step',
    ]);
    const loss = series(run, 'loss');
    expect([...loss.steps]).toEqual([10, 20, 30, 40]);
    expect([...loss.values]).toEqual([2.0, 1.5, 1.2, 1.0]);
    expect([...loss.epochs!]).toEqual([0.25, 0.5, 0.75, 1.0]);
    expect([...series(run, 'eval_loss').steps]).toEqual([20, 40]);
    expect(run.meta).toMatchObject({ framework: 'transformers', best_metric: 0.7, best_model_checkpoint: 'out/checkpoint-20', global_step: 40 });
  });

  it('does not plot the end-of-training summary entry but keeps it in meta', () => {
    const run = parse({ log_history: [{ epoch: 1, loss: 1.0, step: 10 }, { epoch: 2, loss: 0.8, step: 20 }, summary] });
    expect(run.series.map((s) => s.name)).toEqual(['loss']);
    expect(series(run, 'loss').values.length).toBe(2);
    expect(run.meta?.summary).toMatchObject({ train_loss: 0.9, train_runtime: 12.3 });
    expect(run.notes.join(' ')).toMatch(/summary entry/);
  });

  it('deduplicates a repeated last evaluation at the same step and says so', () => {
    const ev = { epoch: 2, eval_loss: 0.5, eval_runtime: 1, step: 20 };
    const run = parse({ log_history: [{ epoch: 1, eval_loss: 0.6, step: 10 }, { epoch: 2, loss: 0.4, step: 20 }, ev, { ...ev }] });
    expect([...series(run, 'eval_loss').values]).toEqual([0.6, 0.5]);
    expect(run.notes.join(' ')).toMatch(/1 repeated evaluation entry/);
  });

  it('keeps separate entries of several eval datasets at the same step', () => {
    const run = parse({ log_history: [{ epoch: 1, eval_a_loss: 0.5, step: 10 }, { epoch: 1, eval_b_loss: 0.7, step: 10 }, { epoch: 2, eval_a_loss: 0.4, step: 20 }, { epoch: 2, eval_b_loss: 0.6, step: 20 }] });
    expect([...series(run, 'eval_a_loss').values]).toEqual([0.5, 0.4]);
    expect([...series(run, 'eval_b_loss').values]).toEqual([0.7, 0.6]);
    expect(series(run, 'eval_b_loss')).toMatchObject({ key: 'b_loss', split: 'val', cadence: 'epoch' });
    expect(run.notes.join(' ')).not.toMatch(/repeated/);
  });

  it('marks evaluations per epoch only when they fall once on each epoch boundary', () => {
    const perEpoch = parse({ log_history: [1, 2, 3].flatMap((e) => [{ epoch: e - 0.5, loss: 1 / e, step: e * 10 - 5 }, { epoch: e, eval_loss: 1 / e, step: e * 10 }]) });
    expect(series(perEpoch, 'eval_loss').cadence).toBe('epoch');
    expect(series(perEpoch, 'loss').cadence).toBe('step');
    const everyHalf = parse({ log_history: [1, 2, 3].map((k) => ({ epoch: k * 0.5, eval_loss: 1 / k, step: k * 5 })) });
    expect(series(everyHalf, 'eval_loss').cadence).toBe('step');
  });

  it('drops a non-monotonic epoch field (streaming datasets) but keeps every point by step', () => {
    const run = parse({ log_history: [{ epoch: 0.9, loss: 1, step: 10 }, { epoch: 1.1, loss: 0.9, step: 20 }, { epoch: 0.05, loss: 0.8, step: 30 }] });
    const loss = series(run, 'loss');
    expect([...loss.steps]).toEqual([10, 20, 30]);
    expect(loss.epochs).toBeNull();
    expect(run.notes.join(' ')).toMatch(/goes backwards/);
  });

  it('keeps loss exactly 0.0 and bare NaN/Infinity tokens as data', () => {
    const text = '{"log_history": [{"epoch": 0.1, "grad_norm": NaN, "loss": 0.0, "step": 1}, {"epoch": 0.2, "grad_norm": Infinity, "loss": 0.0, "step": 2}]}';
    const [run] = hfTrainerStateParser.parse(text, 'trainer_state.json');
    expect([...series(run!, 'loss').values]).toEqual([0, 0]);
    const g = series(run!, 'grad_norm').values;
    expect(g[0]).toBeNaN();
    expect(g[1]).toBe(Infinity);
  });

  it('keeps every point of a long history, in order', () => {
    const n = 5000;
    const log_history = Array.from({ length: n }, (_, i) => ({ epoch: (i + 1) / 1000, loss: 1 / (i + 1), step: i + 1 }));
    const loss = series(parse({ log_history }), 'loss');
    expect(loss.values.length).toBe(n);
    expect([loss.steps[0], loss.steps[n - 1], loss.values[n - 1], loss.epochs![n - 1]]).toEqual([1, n, 1 / n, 5]);
  });

  it('ignores bookkeeping fields (runtime, throughput, token counters, FLOPs)', () => {
    const run = parse({ log_history: [{ epoch: 1, loss: 1, num_tokens: 4096, num_input_tokens_seen: 4096, total_flos: 1e12, step: 1 }, { epoch: 1, eval_loss: 1, eval_num_tokens: 10, eval_runtime: 2, eval_samples_per_second: 3, eval_steps_per_second: 4, step: 1 }] });
    expect(run.series.map((s) => s.name).sort()).toEqual(['eval_loss', 'loss']);
  });

  it.each([
    [{ best_metric: 1 }, '$.log_history', 'expected an array of log entries'],
    [{ log_history: [] }, '$.log_history', 'no metrics logged yet'],
    [{ log_history: [{ loss: 1, step: 1 }, 'x'] }, '$.log_history[1]', 'expected a log entry object'],
    [{ log_history: [{ loss: 1, epoch: 1 }] }, '$.log_history[0].step', 'expected the global step'],
  ])('bad structure %j → IngestError at %s', (obj, path, reason) => {
    let err: unknown;
    try {
      hfTrainerStateParser.parse(JSON.stringify(obj), 'trainer_state.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).path).toBe(path);
    expect((err as IngestError).reason).toContain(reason);
  });

  it('sniffs trainer_state.json and nothing else of the JSON family', () => {
    const state = JSON.stringify({ best_metric: null, epoch: 1, global_step: 10, is_world_process_zero: true, log_history: [{ loss: 1, step: 10 }] }, null, 2);
    expect(hfTrainerStateParser.sniff(state)).toBe(true);
    expect(hfTrainerStateParser.sniff('{"loss": [1, 2], "val_loss": [1, 2]}')).toBe(false);
    expect(hfTrainerStateParser.sniff('[{"epoch": 1, "loss": 0.5}]')).toBe(false);
    expect(hfTrainerStateParser.sniff('{"mode": "train", "iter": 1, "loss": 1}\n{"mode": "train", "iter": 2, "loss": 0.9}\n')).toBe(false);
    // …and the other JSON parsers leave it alone.
    for (const p of [kerasHistoryParser, jsonRecordsParser, jsonlParser]) expect(p.sniff(state)).toBe(false);
  });
});

describe.skipIf(REAL_LOGS_DIR === null)('hfTrainerStateParser on the real logs', () => {
  const load = (file: string): RunLog => {
    const text = readFileSync(path.join(REAL_LOGS_DIR!, file), 'utf8');
    expect(hfTrainerStateParser.sniff(text)).toBe(true);
    const runs = hfTrainerStateParser.parse(text, file);
    expect(runs).toHaveLength(1);
    return runs[0]!;
  };
  const ends = (s: Series) => ({ n: s.values.length, first: s.values[0], last: s.values[s.values.length - 1], firstStep: s.steps[0], lastStep: s.steps[s.steps.length - 1] });

  it('014: whisper fine-tune, train loss to ~0 while eval_loss rises; summary entry not a point', () => {
    const run = load('014_hf_trainer_state.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 200, first: 0.3048, last: 0.0002, firstStep: 25, lastStep: 5000 });
    expect(ends(series(run, 'eval_loss'))).toEqual({ n: 5, first: 0.320997953414917, last: 0.4200145900249481, firstStep: 1000, lastStep: 5000 });
    expect(ends(series(run, 'eval_wer'))).toMatchObject({ n: 5, first: 0.78878255063432, last: 0.7449365679946583 });
    expect(series(run, 'eval_wer')).toMatchObject({ key: 'wer', split: 'val', direction: 'lower' });
    expect(series(run, 'learning_rate').key).toBe('lr');
    expect(run.meta).toMatchObject({ best_metric: 0.7431560204762965, global_step: 5000 });
    expect(run.meta?.summary).toMatchObject({ train_loss: 0.01890342615880072 });
  });

  it('016: non-monotonic epoch (streaming) → epochs dropped, 2000 train and 100 eval points by step', () => {
    const run = load('016_hf_trainer_state.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 2000, first: 2.936, last: 0.8333, firstStep: 50, lastStep: 100000 });
    expect(ends(series(run, 'eval_loss'))).toEqual({ n: 100, first: 1.1868911981582642, last: 0.512780487537384, firstStep: 1000, lastStep: 100000 });
    expect(ends(series(run, 'eval_wer'))).toMatchObject({ first: 61.96711327649208, last: 24.96954933008526 });
    expect(series(run, 'loss').epochs).toBeNull();
    expect(run.notes.join(' ')).toMatch(/goes backwards/);
  });

  it('017: SFT run with grad_norm and token accuracy, early-stopping settings kept in meta', () => {
    const run = load('017_hf_trainer_state.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 186, first: 2.0762, last: 1.025, firstStep: 15, lastStep: 2790 });
    expect(ends(series(run, 'eval_loss'))).toEqual({ n: 14, first: 1.622266411781311, last: 1.1219322681427002, firstStep: 200, lastStep: 2800 });
    expect(series(run, 'eval_mean_token_accuracy')).toMatchObject({ split: 'val', direction: 'higher' });
    expect(series(run, 'eval_mean_token_accuracy').values[13]).toBe(0.7508529225795264);
    expect(run.series.some((s) => s.name.includes('num_tokens'))).toBe(false);
    expect(run.meta).toMatchObject({ best_global_step: 2800, stateful_callbacks: { EarlyStoppingCallback: { args: { early_stopping_patience: 4 } } } });
  });

  it('019: train-only run with grad_norm, lr decayed to 0', () => {
    const run = load('019_hf_trainer_state.json');
    expect(run.series.map((s) => s.name).sort()).toEqual(['grad_norm', 'learning_rate', 'loss']);
    expect(ends(series(run, 'loss'))).toEqual({ n: 333, first: 0.0281, last: 0.032, firstStep: 10, lastStep: 3330 });
    expect(ends(series(run, 'grad_norm'))).toMatchObject({ first: 0.31671950221061707, last: 0.3395178020000458 });
    expect(series(run, 'learning_rate').values[332]).toBe(0);
  });

  it('021: a bare NaN grad_norm (rejected by JSON.parse) is read and kept as a NaN point', () => {
    const run = load('021_hf_trainer_state.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 1000, first: 4.2035, last: 0.0198, firstStep: 1, lastStep: 1000 });
    const g = series(run, 'grad_norm');
    expect(g.values.length).toBe(1000);
    expect(g.values[221]).toBeNaN();
    expect(g.steps[221]).toBe(222);
    expect(g.values.filter(Number.isNaN).length).toBe(1);
  });

  it('023: a mid-run checkpoint without a summary entry', () => {
    const run = load('023_hf_trainer_state.json');
    expect(ends(series(run, 'loss'))).toEqual({ n: 10, first: 0.7295, last: 0.4063, firstStep: 50, lastStep: 500 });
    expect([...series(run, 'eval_loss').values]).toEqual([0.7259570956230164, 0.9507983326911926, 0.737972617149353, 1.232971429824829, 0.5646027326583862]);
    expect(run.meta?.summary).toBeUndefined();
  });

  it('056: loss logged as exactly 0.0 is kept as data', () => {
    const run = load('056_hf_trainer_state.json');
    const loss = series(run, 'loss');
    expect(ends(loss)).toEqual({ n: 150, first: 0.8496, last: 0, firstStep: 10, lastStep: 1500 });
    expect(loss.values.filter((v) => v === 0).length).toBe(54);
    expect(ends(series(run, 'eval_loss'))).toMatchObject({ n: 1, first: 2.0876665075775236e-5, lastStep: 1500 });
  });
});
