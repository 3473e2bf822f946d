/**
 * Every shared real log through parseFile, checked against numbers read off the files themselves (first and last
 * values as printed in the file, counts of non-empty cells / entries / lines).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';

/** [series name, point count, first value, last value] */
type Check = [string, number, number, number];

interface Expected {
  format: RunLog['format'];
  runs?: number;
  /** Every series of the (first) run with its point count. */
  series: Record<string, number>;
  /** Loss and validation-loss values of the first run. */
  values: Check[];
  notes?: RegExp[];
}

const EXPECTED: Record<string, Expected> = {
  '002_keras_csv.log': {
    format: 'keras_csv',
    series: { accuracy: 24, dice_coef: 24, loss: 24, lr: 24, mean_io_u_5: 24, precision: 24, val_accuracy: 24, val_dice_coef: 24, val_loss: 24, val_mean_io_u_5: 24, val_precision: 24 },
    values: [['loss', 24, 0.05603187158703804, 0.02580178715288639], ['val_loss', 24, 0.05463637784123421, 0.034485723823308945], ['lr', 24, 0.001, 1e-6]],
  },
  '004_keras_csv.log': {
    format: 'keras_csv',
    series: { accuracy: 100, loss: 100, val_accuracy: 100, val_loss: 100 },
    values: [['loss', 100, 1.7800995111465454, 0.3073320984840393], ['val_loss', 100, 1.8974509239196777, 0.7466485500335693]],
  },
  '006_keras_csv.csv': {
    format: 'keras_csv',
    series: { accuracy: 249, loss: 249 },
    values: [['loss', 249, 0.016501301899552345, 0.002262030029669404]],
    notes: [/^epoch 244 missing/],
  },
  '008_keras_csv.csv': {
    format: 'keras_csv',
    series: { accuracy: 17, loss: 17, val_accuracy: 17, val_loss: 17 },
    values: [['loss', 17, 1.576022744178772, 0.044504035264253616], ['val_loss', 17, 0.6464570760726929, 0.17382508516311646]],
    notes: [/title line before the header ignored: "model_history_log"/],
  },
  '009_keras_csv.csv': {
    format: 'keras_csv',
    runs: 3,
    series: { accuracy: 300, loss: 300 },
    values: [['loss', 300, 2.3132147789001465, 0.8348312377929688]],
    notes: [/3 runs appended in one file \(epoch resets at lines 302, 432\)/],
  },
  '010_keras_csv.csv': {
    format: 'keras_csv',
    series: { accuracy: 9, loss: 9 },
    values: [['loss', 9, 4.391763687133789, 1.3893963098526]],
  },
  '013_keras_csv.csv': {
    format: 'keras_csv',
    series: { acc: 140, loss: 140, val_acc: 140, val_loss: 140 },
    values: [['loss', 140, 0.6822151169584465, 0.09903129673553493], ['val_loss', 140, 1.5274947136640549, 0.6325638443231583], ['val_acc', 140, 0.499542236328125, 0.8157958984375]],
  },
  '014_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { learning_rate: 200, loss: 200, eval_loss: 5, eval_wer: 5 },
    values: [['loss', 200, 0.3048, 0.0002], ['eval_loss', 5, 0.320997953414917, 0.4200145900249481]],
  },
  '016_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { learning_rate: 2000, loss: 2000, eval_loss: 100, eval_wer: 100 },
    values: [['loss', 2000, 2.936, 0.8333], ['eval_loss', 100, 1.1868911981582642, 0.512780487537384]],
  },
  '017_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { grad_norm: 186, learning_rate: 186, loss: 186, mean_token_accuracy: 186, eval_loss: 14, eval_mean_token_accuracy: 14 },
    values: [['loss', 186, 2.0762, 1.025], ['eval_loss', 14, 1.622266411781311, 1.1219322681427002]],
  },
  '019_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { grad_norm: 333, learning_rate: 333, loss: 333 },
    values: [['loss', 333, 0.0281, 0.032]],
  },
  '021_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { grad_norm: 1000, learning_rate: 1000, loss: 1000 },
    values: [['loss', 1000, 4.2035, 0.0198]],
  },
  '023_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { grad_norm: 10, learning_rate: 10, loss: 10, eval_loss: 5 },
    values: [['loss', 10, 0.7295, 0.4063], ['eval_loss', 5, 0.7259570956230164, 0.5646027326583862]],
  },
  '025_lightning_metrics.csv': {
    format: 'lightning_csv',
    // val has 6 points: epochs 0–4 and the extra validation row at step 8595 after training.
    series: { test_loss: 1, train_loss: 171, val_accuracy: 6, val_loss: 6 },
    values: [['train_loss', 171, 0.634955883026123, 0.021989192813634872], ['val_loss', 6, 0.07106363773345947, 0.01422041654586792], ['test_loss', 1, 0.0322248712182045, 0.0322248712182045]],
  },
  '027_lightning_metrics.csv': {
    format: 'lightning_csv',
    series: { train_loss: 80, 'out_tensor([0.])': 80, 'out_tensor([1.])': 80 },
    values: [['train_loss', 80, 0.9164495468139648, 0.25003325939178467], ['out_tensor([0.])', 80, 0.0422501266002655, 0.5000384449958801]],
  },
  '030_lightning_metrics.csv': {
    format: 'lightning_csv',
    // Every lr-AdamW row is written twice (776 cells): the duplicates are dropped.
    series: { 'lr-AdamW': 388, train_loss: 388, val_acc: 10, val_loss: 10 },
    values: [['train_loss', 388, 1.894312858581543, 0.7983158826828003], ['val_loss', 10, 1.257969856262207, 1.228519320487976], ['lr-AdamW', 388, 0.0001, 2.447174185242323e-6]],
    notes: [/lr-AdamW: 388 duplicate row\(s\)/],
  },
  '032_lightning_metrics.csv': {
    format: 'lightning_csv',
    series: { train_accuracy: 9, train_loss: 61, train_loss_0: 9, valid_accuracy: 9, valid_loss: 9, valid_loss_0: 9 },
    values: [['train_loss', 61, 0.8924820423126221, 0.7818650007247925], ['valid_loss', 9, 0.8253766298294067, 0.8156298398971558]],
  },
  '034_lightning_metrics.csv': {
    format: 'lightning_csv',
    series: { test_acc: 1, train_acc: 20, train_loss: 20, val_acc: 20, val_loss: 20 },
    values: [['train_loss', 20, 0.18098001182079315, 0.0031721435952931643], ['val_loss', 20, 0.11243616044521332, 0.09889961779117584]],
  },
  '036_keras_history.json': {
    format: 'keras_history',
    series: { accuracy: 30, loss: 30, val_accuracy: 30, val_loss: 30, learning_rate: 30 },
    values: [['loss', 30, 3.8498194217681885, 0.13551731407642365], ['val_loss', 30, 1.1121315956115723, 0.49090835452079773]],
  },
  '039_keras_history.json': {
    format: 'keras_history',
    series: { accuracy: 10, loss: 10, val_accuracy: 10, val_loss: 10 },
    values: [['loss', 10, 0.4763399660587311, 0.06568436324596405], ['val_loss', 10, 0.18213574588298798, 0.07359225302934647]],
  },
  '041_keras_history.json': {
    format: 'keras_history',
    series: { loss: 15, val_loss: 15 },
    values: [['loss', 15, 0.002030816162005067, 8.717608579900116e-5], ['val_loss', 15, 0.0005766652175225317, 0.0004287613555788994]],
  },
  '045_json_epoch_records.json': {
    format: 'keras_history',
    series: { loss: 14, accuracy: 14, auc: 14, precision: 14, val_loss: 14, val_accuracy: 14, val_auc: 14, val_precision: 14 },
    values: [['loss', 14, 0.1569, 0.0192], ['val_loss', 14, 0.1734, 0.0314]],
  },
  '046_plain_csv.csv': {
    format: 'plain_csv',
    series: { train_loss: 50, train_acc: 50, test_loss: 50, test_acc: 50 },
    // Accuracy is in percent in the file (47.19 … 89.12) and scaled; test is used as validation.
    values: [['train_loss', 50, 1.4635496114373512, 0.19308643114021826], ['test_loss', 50, 1.1370225089370825, 0.3422010916338605], ['test_acc', 50, 0.5878, 0.8912]],
    notes: [/no validation series: test_loss, test_acc used as validation/],
  },
  '048_pytorch_text_log.md': {
    format: 'pytorch_text',
    series: { lr: 168, loss: 168, ppl: 168, valid_loss: 12, valid_ppl: 12, test_loss: 1, test_ppl: 1 },
    values: [['loss', 168, NaN, NaN], ['valid_loss', 12, NaN, NaN], ['lr', 168, 20, 0]],
  },
  '050_pytorch_text_log.md': {
    format: 'pytorch_text',
    series: { lr: 168, loss: 168, ppl: 168, valid_loss: 12, valid_ppl: 12, test_loss: 1, test_ppl: 1 },
    values: [['loss', 168, 17.74, 7.05], ['valid_loss', 12, 39.7, 6.91], ['test_loss', 1, 6.85, 6.85]],
  },
  '052_keras_history.json': {
    format: 'keras_history',
    series: { loss: 12, accuracy: 12, val_loss: 12, val_accuracy: 12 },
    values: [['loss', 12, 0.7944433093070984, 0.2920074760913849], ['val_loss', 12, 2213.694580078125, 0.5007736086845398]],
  },
  '054_lightning_metrics.csv': {
    format: 'lightning_csv',
    series: { epoch_time: 10, train_epoch_perplexity: 10, train_loss_epoch: 10, train_loss_step: 2814, train_perplexity_epoch: 10, train_perplexity_step: 2814, val_epoch_perplexity: 10, val_loss: 10, val_perplexity: 10 },
    values: [['train_loss_epoch', 10, 4.776971817016602, 3.687237024307251], ['train_loss_step', 2814, 7.628580570220947, 3.565943479537964], ['val_loss', 10, 4.132571697235107, 3.570486068725586]],
  },
  '056_hf_trainer_state.json': {
    format: 'hf_trainer_state',
    series: { grad_norm: 150, learning_rate: 150, loss: 150, eval_loss: 1 },
    values: [['loss', 150, 0.8496, 0], ['eval_loss', 1, 2.0876665075775236e-5, 2.0876665075775236e-5]],
  },
};

describe.skipIf(!REAL_LOGS_DIR)('real logs in ../shared/real-logs', () => {
  const dir = REAL_LOGS_DIR ?? '';
  const files = REAL_LOGS_DIR ? readdirSync(dir).filter((f) => /^\d{3}_/.test(f)).sort() : [];

  it('has an expectation for every one of the 28 logs', () => {
    expect(files).toHaveLength(28);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.each(Object.keys(EXPECTED))('%s', (file) => {
    const exp = EXPECTED[file]!;
    const runs = parseFile(new Uint8Array(readFileSync(path.join(dir, file))), file);
    expect(runs).toHaveLength(exp.runs ?? 1);
    const run = runs[0]!;
    expect(run.format).toBe(exp.format);
    expect(run.name).toBe(file.replace(/\.[^.]+$/, ''));
    expect(Object.fromEntries(run.series.map((s) => [s.name, s.values.length]))).toEqual(exp.series);
    for (const [name, count, first, last] of exp.values) {
      const s = run.series.find((x) => x.name === name)!;
      expect(s.values.length, name).toBe(count);
      expect(s.values[0], `${name} first`).toBe(first);
      if (Number.isNaN(last)) expect(s.values[s.values.length - 1], `${name} last`).toBeNaN();
      else expect(s.values[s.values.length - 1], `${name} last`).toBeCloseTo(last, 12);
      if (s.key === 'loss') expect(s.direction).toBe('lower');
    }
    for (const re of exp.notes ?? []) expect(run.notes.some((n) => re.test(n)), `note ${re}`).toBe(true);
  });

  it('009: the three appended runs have the right lengths and first/last losses', () => {
    const runs = parseFile(new Uint8Array(readFileSync(path.join(dir, '009_keras_csv.csv'))), '009_keras_csv.csv');
    const loss = runs.map((r) => r.series.find((s) => s.name === 'loss')!);
    expect(runs.map((r) => r.name)).toEqual(['009_keras_csv', '009_keras_csv (run 2)', '009_keras_csv (run 3)']);
    expect(loss.map((s) => s.values.length)).toEqual([300, 130, 3]);
    expect(loss.map((s) => [s.values[0], s.values[s.values.length - 1]])).toEqual([
      [2.3132147789001465, 0.8348312377929688],
      [0.8641863465309143, 0.5732554793357849],
      [3.582756519317627, 2.896239757537842],
    ]);
    expect(loss.every((s) => s.steps[0] === 0 && s.cadence === 'epoch')).toBe(true);
  });

  it('cadence: Keras CSV per epoch, Lightning per step or epoch by how often a metric was logged', () => {
    const lightning = parseFile(new Uint8Array(readFileSync(path.join(dir, '054_lightning_metrics.csv'))), '054.csv')[0]!;
    const cad = Object.fromEntries(lightning.series.map((s) => [s.name, s.cadence]));
    expect(cad).toMatchObject({ train_loss_step: 'step', train_loss_epoch: 'epoch', val_loss: 'epoch' });
    const l030 = parseFile(new Uint8Array(readFileSync(path.join(dir, '030_lightning_metrics.csv'))), '030.csv')[0]!;
    const lr = l030.series.find((s) => s.name === 'lr-AdamW')!;
    expect(lr).toMatchObject({ key: 'lr', cadence: 'step', epochs: null });
    expect(l030.series.find((s) => s.name === 'train_loss')!.cadence).toBe('step');
  });
});
