/**
 * Console outputs captured here from the real libraries (scripts/capture-console-fixtures.py; test/fixtures/console/
 * and its manifest.tsv say which library, version and style, and how each was captured). Each is read to the values
 * the library itself recorded while it printed them (the `.truth.json` beside each log: Keras' history, Lightning's
 * callback metrics, the Trainer's log_history, scikit-learn's loss_curve_, LightGBM's record_evaluation, the floats a
 * hand-written loop printed), within the rounding the print applied, at the epochs or steps it belongs to. Beside the
 * progress bars and log lines (callbacks' messages between Keras' bars, nested and single-line tqdm bars, loguru's and
 * Rich's log formats, CRLF, units after values, tensors printed whole, blocks of lines per epoch, scikit-learn's and
 * LightGBM's verbose output), what people paste: histories printed as Python literals (print(history.history),
 * pprint, the Trainer's log_history, evals_result, a defaultdict of NumPy means), DataFrames of them, torchrun's
 * rank-tagged lines of two processes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cadence, LogFormat, RunLog, Split } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { REPO_ROOT } from '../support/real-logs.ts';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'console');

interface Truth {
  library: string;
  epochs?: Record<string, number[]>;
  steps?: Record<string, number[]>;
  final?: Record<string, number>;
}

/** [key, split, cadence, where the truth is ('epochs.loss', 'steps.loss'), decimals printed (the tolerance)] */
type Check = [string, Split, Cadence, string | null, number];

interface Fixture {
  format: LogFormat;
  /** Every series the run must have. */
  series: Record<string, Check>;
  /** Extra checks on the run. */
  also?: (run: RunLog, truth: Truth) => void;
}

const KERAS: Fixture['series'] = {
  accuracy: ['accuracy', 'train', 'epoch', 'epochs.accuracy', 4],
  loss: ['loss', 'train', 'epoch', 'epochs.loss', 4],
  val_accuracy: ['accuracy', 'val', 'epoch', 'epochs.val_accuracy', 4],
  val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
};
const EPOCH_TABLE: Fixture['series'] = {
  train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4],
  val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
  val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 3],
};
/** The Keras digits classifier's History (accuracy, loss, top-3 accuracy and their validation twins). */
const KERAS_DIGITS = (decimals: number): Fixture['series'] => ({
  accuracy: ['accuracy', 'train', 'epoch', 'epochs.accuracy', decimals],
  loss: ['loss', 'train', 'epoch', 'epochs.loss', decimals],
  top3: ['top3', 'train', 'epoch', 'epochs.top3', decimals],
  val_accuracy: ['accuracy', 'val', 'epoch', 'epochs.val_accuracy', decimals],
  val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', decimals],
  val_top3: ['top3', 'val', 'epoch', 'epochs.val_top3', decimals],
});
const HF: Fixture = {
  format: 'console_text',
  series: {
    loss: ['loss', 'train', 'step', 'steps.loss', 4],
    grad_norm: ['grad_norm', 'train', 'step', null, 0],
    learning_rate: ['lr', 'train', 'step', 'steps.learning_rate', 6],
    eval_loss: ['loss', 'val', 'epoch', 'epochs.eval_loss', 4],
    train_loss: ['loss', 'train', 'epoch', null, 0],
  },
  also: (run, truth) => {
    // The Trainer prints no step: its points sit at the fractional epochs it prints.
    expect([...series(run, 'loss').epochs!]).toEqual(truth.steps!.epoch);
    expect([...series(run, 'eval_loss').steps]).toEqual(truth.epochs!.epoch);
  },
};

const FIXTURES: Record<string, Fixture> = {
  keras_fit_verbose1: { format: 'keras_text', series: KERAS },
  keras_fit_verbose2: { format: 'keras_text', series: KERAS },
  lightning_tqdm: {
    format: 'console_text',
    series: {
      // The bar is 100 columns wide: train_loss_epoch, last in the postfix, is cut off by the terminal.
      train_loss_step: ['loss', 'train', 'epoch', 'epochs.train_loss_step', 3],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 3],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 3],
    },
    also: (run) => expect([...series(run, 'val_loss').steps]).toEqual([0, 1, 2]),
  },
  lightning_rich: {
    format: 'console_text',
    series: {
      // Rich redraws every refresh, so the training bar gives step-level points; its metrics wrap onto two more lines.
      train_loss_step: ['loss', 'train', 'step', null, 3],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 3],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 3],
      train_loss_epoch: ['loss', 'train', 'epoch', 'epochs.train_loss_epoch', 3],
    },
    also: (run, truth) => {
      const s = series(run, 'train_loss_step');
      // The end of each epoch (step 8, 16, 24 of 8 batches an epoch) holds the epoch's last step loss.
      const ends = [8, 16, 24].map((step) => s.values[[...s.steps].indexOf(step)]!);
      close(ends, truth.epochs!.train_loss_step!, 3, 'train_loss_step at the ends of epochs');
    },
  },
  hf_trainer_tqdm: HF,
  hf_trainer_no_tqdm: HF,
  sklearn_mlp_verbose: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'epochs.loss', 8],
      val_score: ['score', 'val', 'step', 'epochs.validation_score', 6],
    },
  },
  sklearn_sgd_verbose: {
    format: 'console_text',
    series: {
      norm: ['norm', 'train', 'epoch', null, 2],
      bias: ['bias', 'train', 'epoch', null, 6],
      loss: ['loss', 'train', 'epoch', null, 6],
      objective: ['loss', 'train', 'epoch', null, 6],
    },
    also: (run, truth) => {
      const norm = series(run, 'norm');
      expect(norm.values.length).toBe(truth.final!.epochs);
      close([norm.values.at(-1)!], [truth.final!.norm!], 2, 'last Norm');
      close([series(run, 'bias').values.at(-1)!], [truth.final!.bias!], 6, 'last Bias');
    },
  },
  lightgbm_log_evaluation: {
    format: 'console_text',
    series: {
      train_binary_logloss: ['binary_logloss', 'train', 'step', 'steps.training/binary_logloss', 6],
      train_auc: ['auc', 'train', 'step', 'steps.training/auc', 6],
      val_binary_logloss: ['binary_logloss', 'val', 'step', 'steps.valid_1/binary_logloss', 6],
      val_auc: ['auc', 'val', 'step', 'steps.valid_1/auc', 6],
    },
  },
  torch_print: {
    format: 'console_text',
    series: { train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4] },
  },
  torch_logging: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 5],
      train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 5],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 5],
      val_accuracy: ['accuracy', 'val', 'epoch', 'epochs.val_accuracy', 4],
    },
    also: (run) => expect([...series(run, 'loss').steps]).toEqual([4, 8, 12, 16, 20, 24, 28, 32]),
  },
  torch_tqdm_postfix: {
    format: 'console_text',
    series: { loss: ['loss', 'train', 'epoch', 'epochs.loss', 4], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 3] },
  },
  pytorch_mnist_example: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 6],
      test_loss: ['loss', 'val', 'epoch', 'epochs.test_loss', 4],
      test_accuracy: ['accuracy', 'val', 'epoch', 'epochs.test_accuracy', 9],
    },
    // Batches count samples, as the example prints them: step = 256 × (epoch − 1) + samples seen.
    also: (run) => expect([...series(run, 'loss').steps].slice(0, 5)).toEqual([0, 64, 128, 192, 256]),
  },
  // Histories printed whole, as Python literals (after TensorFlow's start-up warnings on stderr).
  keras_history_print: { format: 'keras_history', series: KERAS_DIGITS(12), also: (run) => expect(run.notes[0]).toBe('read from the literal printed at line 5') },
  keras_history_pprint: { format: 'keras_history', series: KERAS_DIGITS(12), also: (run) => expect(run.notes[0]).toMatch(/^read from the literal printed at lines 5–\d+$/) },
  torch_defaultdict_history: {
    format: 'keras_history',
    // np.float32 reprs print 8 significant digits.
    series: { train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 6], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 6], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 12] },
  },
  hf_log_history_print: {
    format: 'hf_trainer_state',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 12],
      grad_norm: ['grad_norm', 'train', 'step', null, 0],
      learning_rate: ['lr', 'train', 'step', 'steps.learning_rate', 12],
      eval_loss: ['loss', 'val', 'epoch', 'epochs.eval_loss', 12],
    },
    also: (run, truth) => {
      expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step);
      expect([...series(run, 'eval_loss').steps]).toEqual(truth.epochs!.step);
    },
  },
  lightgbm_record_evaluation_print: {
    format: 'keras_history',
    series: {
      train_binary_logloss: ['binary_logloss', 'train', 'step', 'steps.training/binary_logloss', 12],
      train_auc: ['auc', 'train', 'step', 'steps.training/auc', 12],
      val_binary_logloss: ['binary_logloss', 'val', 'step', 'steps.valid_1/binary_logloss', 12],
      val_auc: ['auc', 'val', 'step', 'steps.valid_1/auc', 12],
    },
  },
  // Keras' epoch lines and the history printed after them: the exact reader's run, the history adding nothing new.
  keras_fit_then_history: { format: 'keras_text', series: KERAS },
  // Tables aligned under a header: pandas' DataFrame print, its index the epoch.
  pandas_history_print: { format: 'console_text', series: KERAS_DIGITS(6), also: (run) => expect([...series(run, 'loss').steps]).toEqual([...Array(20).keys()]) },
  pandas_history_long: {
    format: 'console_text',
    series: Object.fromEntries(Object.entries({ ...KERAS_DIGITS(6), learning_rate: ['lr', 'train', 'epoch', 'epochs.learning_rate', 6] }).map(([k, [key, split, cadence]]) => [k, [key, split, cadence, null, 0]])) as Fixture['series'],
    also: (run, truth) => {
      // pandas shows the first and the last five of the 80 rows: they keep their epochs.
      const shown = [0, 1, 2, 3, 4, 75, 76, 77, 78, 79];
      for (const name of ['loss', 'val_loss', 'accuracy', 'val_top3', 'learning_rate']) {
        expect([...series(run, name).steps], name).toEqual(shown);
        close(series(run, name).values, shown.map((i) => truth.epochs![name]![i]!), 6, name);
      }
    },
  },
  hf_log_history_dataframe: {
    format: 'console_text',
    // pandas elided the epoch, step and eval columns ('...'): the rows stay in their order, their NaN cells empty.
    series: { loss: ['loss', 'train', 'epoch', 'steps.loss', 6], grad_norm: ['grad_norm', 'train', 'epoch', null, 0], learning_rate: ['lr', 'train', 'epoch', 'steps.learning_rate', 6] },
    also: (run) => {
      expect([...series(run, 'loss').steps]).toEqual([0, 1, 3, 4, 5, 7, 8]);
      expect(run.notes).toContain('table columns with a single value (a summary row) not read: train_loss');
    },
  },
  // Lines of two processes: rank 0's are the run.
  torchrun_tee: { format: 'console_text', series: EPOCH_TABLE, also: (run) => expect(run.notes.some((n) => n.includes("read [default0]'s (rank 0)"))).toBe(true) },
  torch_ddp_rank_prefix: { format: 'console_text', series: EPOCH_TABLE, also: (run) => expect(run.notes.some((n) => n.includes("read [rank0]'s (rank 0)"))).toBe(true) },
  lightning_callback_metrics: {
    format: 'console_text',
    series: { val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4], train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4] },
  },
  torch_topk_print: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', null, 0],
      loss_avg: ['loss_avg', 'train', 'step', null, 0],
      lr: ['lr', 'train', 'step', null, 0],
      test_loss: ['loss', 'val', 'epoch', 'epochs.test_loss', 3],
      test_loss_avg: ['loss_avg', 'val', 'epoch', null, 0],
      // Acc@1 is the accuracy, printed in percent with three decimals (five as a fraction).
      'test_acc@1': ['accuracy', 'val', 'epoch', 'epochs.acc1', 5],
      'test_acc@1_avg': ['acc@1_avg', 'val', 'epoch', null, 0],
      'test_acc@5': ['acc@5', 'val', 'epoch', null, 0],
      'test_acc@5_avg': ['acc@5_avg', 'val', 'epoch', null, 0],
    },
    also: (run, truth) => {
      close(series(run, 'test_acc@5').values, truth.epochs!.acc5!.map((v) => v * 100), 3, 'Acc@5 (percent)');
      // The last batch of each epoch (14 a epoch), printed with three significant digits.
      const s = series(run, 'loss');
      close([13, 27, 41, 55, 69, 83].map((step) => s.values[[...s.steps].indexOf(step)]!), truth.epochs!.loss!, 2, 'last batch loss');
    },
  },
  torch_cr_fstring: {
    format: 'console_text',
    series: { loss: ['loss', 'train', 'epoch', 'epochs.loss', 4], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4] },
  },
  logging_json_payload: {
    format: 'console_text',
    series: { train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 5], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 5], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4] },
  },
  table_header: { format: 'console_text', series: EPOCH_TABLE },
  markdown_table: { format: 'console_text', series: EPOCH_TABLE },
  rich_table: { format: 'console_text', series: EPOCH_TABLE },
  jsonl_print: { format: 'console_text', series: EPOCH_TABLE },

  // Callbacks' messages between Keras' bars (before each epoch's last state), ReduceLROnPlateau's learning rate in the
  // logs, EarlyStopping at epoch 6 of 12.
  keras_callbacks_interleaved: {
    format: 'keras_text',
    series: { ...KERAS, learning_rate: ['lr', 'train', 'epoch', 'epochs.learning_rate', 4] },
    also: (run) => expect([...series(run, 'loss').steps]).toEqual([1, 2, 3, 4, 5, 6]),
  },
  // evaluate()'s bar, the script's 'Test loss: …' and predict()'s bar after the last epoch do not replace its state.
  keras_fit_evaluate: { format: 'keras_text', series: KERAS, also: (run) => expect([...series(run, 'val_loss').steps]).toEqual([1, 2, 3, 4, 5]) },
  // Two named outputs: a loss and an accuracy per output beside the summed loss, each with its validation twin.
  keras_multi_output: {
    format: 'keras_text',
    series: Object.fromEntries(
      ['digit_accuracy', 'digit_loss', 'loss', 'parity_accuracy', 'parity_loss'].flatMap((n) => [
        [n, [n, 'train', 'epoch', `epochs.${n}`, 4]],
        [`val_${n}`, [n, 'val', 'epoch', `epochs.val_${n}`, 4]],
      ]),
    ) as Fixture['series'],
  },
  // validation_freq=2: the validation only on the epochs it ran.
  keras_validation_freq: {
    format: 'keras_text',
    series: {
      loss: ['loss', 'train', 'epoch', 'epochs.loss', 4],
      mae: ['mae', 'train', 'epoch', 'epochs.mae', 4],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
      val_mae: ['mae', 'val', 'epoch', 'epochs.val_mae', 4],
    },
    also: (run, truth) => expect([...series(run, 'val_loss').steps]).toEqual(truth.epochs!.val_epoch),
  },
  // `[n/N] 1 tree, 7 leaves, max depth = 3, train loss: x, val loss: y, in 0.001s`: the tree's shape is no metric.
  sklearn_hist_gbm_verbose: {
    format: 'console_text',
    series: { train_loss: ['loss', 'train', 'epoch', 'steps.train_loss', 5], val_loss: ['loss', 'val', 'epoch', 'steps.val_loss', 5] },
    also: (run) => expect([...series(run, 'val_loss').steps]).toEqual([...Array(15).keys()].map((i) => i + 1)),
  },
  // A table whose header names have blanks (`Train Loss`, `OOB Improve`), rows every iteration to 10, then every 10th.
  sklearn_gbm_verbose: {
    format: 'console_text',
    series: { train_loss: ['loss', 'train', 'step', 'steps.train_loss', 4], oob_improve: ['oob_improve', 'train', 'step', 'steps.oob_improve', 4] },
    also: (run, truth) => expect([...series(run, 'train_loss').steps]).toEqual(truth.steps!.step),
  },
  // 'Setting learning rate to …' lines between the iterations are events, not a curve: nothing else is read.
  sklearn_mlp_adaptive: {
    format: 'console_text',
    series: { loss: ['loss', 'train', 'step', 'epochs.loss', 8] },
    also: (run, truth) => expect([...series(run, 'loss').steps]).toEqual(truth.epochs!.loss!.map((_, i) => i + 1)),
  },
  // Every 5th round, l2 and l1 (losses, lower is better); the best round printed again after 'Early stopping, best
  // iteration is:' restates round 114 and is not read.
  lightgbm_early_stopping: {
    format: 'console_text',
    series: {
      train_l2: ['l2', 'train', 'step', 'steps.train/l2', 4],
      train_l1: ['l1', 'train', 'step', 'steps.train/l1', 4],
      val_l2: ['l2', 'val', 'step', 'steps.valid/l2', 4],
      val_l1: ['l1', 'val', 'step', 'steps.valid/l1', 4],
    },
    also: (run, truth) => {
      expect([...series(run, 'val_l2').steps]).toEqual(truth.steps!.step);
      expect(run.series.every((s) => s.direction === 'lower')).toBe(true);
    },
  },
  // The tutorial's step lines (the exact PyTorch reader) with accuracies in percent, and the script's own epoch summary.
  torch_step_percent: {
    format: 'pytorch_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 4],
      acc: ['accuracy', 'train', 'step', 'steps.acc', 4],
      train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4],
    },
    also: (run, truth) => expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step),
  },
  // `loss tensor(0.6931, grad_fn=<NllLossBackward0>)`, `val_loss tensor(0.6523)`.
  torch_tensor_repr: {
    format: 'console_text',
    series: { loss: ['loss', 'train', 'step', 'steps.loss', 4], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4] },
    also: (run, truth) => expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step),
  },
  // 'Epoch 3/6' then '  train | loss … | acc …%', '  valid | loss … | acc …%' and '  lr    | 1.00e-01' (a name and
  // its value in two cells; the learning rate takes no split from the valid line before): the epoch line places the block.
  torch_epoch_block: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4],
      acc: ['accuracy', 'train', 'epoch', 'epochs.train_acc', 4],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4],
      lr: ['lr', 'train', 'epoch', 'epochs.lr', 4],
    },
    also: (run) => expect([...series(run, 'val_acc').steps]).toEqual([1, 2, 3, 4, 5, 6]),
  },
  // CRLF line ends with \r redraws: the bar's last state (the epoch's last batch loss) and the summary line.
  torch_tqdm_crlf: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'epoch', null, 0],
      train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4],
    },
  },
  // Units after values (`3.52ms/step`, `28409 samples/s`) are not metrics; the evaluation placed by its own step.
  torch_units: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 4],
      lr: ['lr', 'train', 'step', null, 0],
      val_loss: ['loss', 'val', 'step', 'epochs.val_loss', 4],
      val_acc: ['accuracy', 'val', 'step', 'epochs.val_acc', 3],
    },
    also: (run, truth) => {
      expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step);
      expect([...series(run, 'val_loss').steps]).toEqual(truth.epochs!.step);
    },
  },
  // Nested bars: the inner bar gives the step losses. The outer bar's postfix is set before each advance and tqdm
  // redraws its counter only now and then, on lines of their own (cursor moves between the bars): which epoch each of
  // its states shows cannot be told from the text, so only its last state (the last epoch, drawn at close) is checked.
  torch_tqdm_nested: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', null, 0],
      train_loss: ['loss', 'train', 'epoch', null, 0],
      val_loss: ['loss', 'val', 'epoch', null, 0],
      val_acc: ['accuracy', 'val', 'epoch', null, 0],
    },
    also: (run, truth) => {
      expect(series(run, 'loss').values.length).toBeGreaterThanOrEqual(5 * 13);
      close([series(run, 'val_loss').values.at(-1)!], [truth.epochs!.val_loss!.at(-1)!], 4, 'last val_loss');
      expect(series(run, 'val_loss').steps.at(-1)).toBe(5);
    },
  },
  // One bar over the epochs redrawn on one line: every epoch's postfix, though the counter it shows lags.
  tqdm_epoch_bar: {
    format: 'console_text',
    series: { train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 4], val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 4], val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 3] },
    also: (run) => {
      expect([...series(run, 'val_loss').steps]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(run.notes[0]).toMatch(/^read 8 records of \d+ lines? \(7 of them earlier states of a progress bar redrawn on its line\)/);
    },
  },
  // accelerate: tqdm.write lines, and accelerator.print of the epoch's metrics right after the bar's state; the
  // dict's accuracy is the evaluation's (its only loss is eval_loss).
  accelerate_tqdm_write: {
    format: 'console_text',
    series: { loss: ['loss', 'train', 'step', 'steps.loss', 4], eval_loss: ['loss', 'val', 'epoch', 'epochs.eval_loss', 4], val_accuracy: ['accuracy', 'val', 'epoch', 'epochs.accuracy', 4] },
    also: (run, truth) => {
      expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step);
      expect([...series(run, 'eval_loss').steps]).toEqual([0, 1, 2, 3]);
    },
  },
  // loguru: `__main__:epoch:1113` and `__main__:batch:1107` are where the lines were logged, not an epoch or a batch.
  loguru_lines: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 5],
      train_loss: ['loss', 'train', 'epoch', 'epochs.train_loss', 5],
      val_loss: ['loss', 'val', 'epoch', 'epochs.val_loss', 5],
      val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4],
    },
    also: (run, truth) => {
      expect([...series(run, 'loss').steps]).toEqual(truth.steps!.step);
      expect([...series(run, 'val_loss').steps]).toEqual([1, 2, 3, 4, 5]);
    },
  },
  // Rich's log handler: the time shown only when it changes, the message wrapped onto a second line.
  rich_logging: { format: 'console_text', series: { ...EPOCH_TABLE, val_acc: ['accuracy', 'val', 'epoch', 'epochs.val_acc', 4] } },
  // Validation twice an epoch: at every other 4 of the 8 steps. EarlyStopping's messages land on the bar's line. The
  // bar reset at each epoch's start adds the epoch-level twins (`_epoch`) of the last values of epochs 0 and 1.
  lightning_val_interval: {
    format: 'console_text',
    series: {
      train_loss_step: ['loss', 'train', 'step', null, 0],
      val_loss: ['loss', 'val', 'step', 'steps.val_loss', 3],
      val_acc: ['accuracy', 'val', 'step', 'steps.val_acc', 3],
      train_loss_epoch: ['loss', 'train', 'step', null, 0],
      train_loss_step_epoch: ['loss', 'train', 'epoch', null, 0],
      val_loss_epoch: ['loss', 'val', 'epoch', null, 0],
      val_acc_epoch: ['accuracy', 'val', 'epoch', null, 0],
      train_loss_epoch_epoch: ['loss', 'train', 'epoch', null, 0],
    },
    also: (run, truth) => {
      expect([...series(run, 'val_loss').steps]).toEqual(truth.steps!.step);
      close(series(run, 'val_loss_epoch').values, [truth.steps!.val_loss![1]!, truth.steps!.val_loss![3]!], 3, 'val_loss at the ends of epochs 0 and 1');
    },
  },
  // Evaluation every 5 steps with compute_metrics: eval_accuracy beside eval_loss, at the fractional epochs printed.
  hf_trainer_eval_steps: {
    format: 'console_text',
    series: {
      loss: ['loss', 'train', 'step', 'steps.loss', 4],
      grad_norm: ['grad_norm', 'train', 'step', null, 0],
      learning_rate: ['lr', 'train', 'step', 'steps.learning_rate', 6],
      eval_loss: ['loss', 'val', 'step', 'steps.eval_loss', 4],
      eval_accuracy: ['accuracy', 'val', 'step', 'steps.eval_accuracy', 4],
      train_loss: ['loss', 'train', 'epoch', null, 0],
    },
    also: (run, truth) => {
      expect([...series(run, 'loss').epochs!]).toEqual(truth.steps!.epoch);
      expect([...series(run, 'eval_loss').epochs!]).toEqual(truth.steps!.eval_epoch);
    },
  },
};

function series(run: RunLog, name: string) {
  const s = run.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name} in ${run.series.map((x) => x.name).join(', ')}`);
  return s;
}

/** Equal within half a unit of the last printed decimal (percent prints read as fractions lose two more). */
function close(got: ArrayLike<number>, want: number[], decimals: number, what: string): void {
  expect(got.length, `${what}: points`).toBe(want.length);
  const tol = 0.5 * 10 ** -decimals + 1e-12;
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]: read ${got[i]}, recorded ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!) >= 10 ? Math.abs(want[i]!) : 1));
  }
}

function at(truth: Truth, where: string): number[] {
  const [scope, ...rest] = where.split('.');
  const v = (truth as unknown as Record<string, Record<string, number[]>>)[scope!]?.[rest.join('.')];
  if (!v) throw new Error(`no truth ${where}`);
  return v;
}

describe('console outputs captured from the real libraries', () => {
  it('has at least 50 styles, each with its truth and a manifest row', () => {
    const logs = readdirSync(DIR).filter((f) => f.endsWith('.log')).map((f) => f.replace(/\.log$/, '')).sort();
    expect(logs).toEqual(Object.keys(FIXTURES).sort());
    expect(logs.length).toBeGreaterThanOrEqual(50);
    const manifest = readFileSync(path.join(DIR, 'manifest.tsv'), 'utf8').trim().split('\n');
    expect(manifest[0]).toBe('file\tlibrary and version\tstyle\thow captured\texpected series (from the truth file)');
    expect(manifest.slice(1).map((l) => l.split('\t')[0]).sort()).toEqual(logs.map((l) => `${l}.log`));
  });

  for (const [name, fx] of Object.entries(FIXTURES)) {
    it(`${name}: reads to the values the library recorded`, () => {
      const truth = JSON.parse(readFileSync(path.join(DIR, `${name}.truth.json`), 'utf8')) as Truth;
      const runs = parseFile(new Uint8Array(readFileSync(path.join(DIR, `${name}.log`))), `${name}.log`);
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(run.format).toBe(fx.format);
      expect(Object.fromEntries(run.series.map((s) => [s.name, [s.key, s.split, s.cadence]]))).toEqual(
        Object.fromEntries(Object.entries(fx.series).map(([n, [key, split, cadence]]) => [n, [key, split, cadence]])),
      );
      for (const [n, [, , , where, decimals]] of Object.entries(fx.series)) {
        if (where) close(series(run, n).values, at(truth, where), decimals, n);
      }
      fx.also?.(run, truth);
    });
  }
});
