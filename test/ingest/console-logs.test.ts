/**
 * The 51 real console outputs in ../shared/console-logs (read in place, never copied here), each read to exact runs,
 * series and values. The values were taken from the files themselves, independently of the reader: for every file a
 * hand-written pattern pulled each series out of the raw text (last state of each \r redraw, one value per position
 * where the log re-prints a position), and its first, last, middle (index ⌊n/2⌋) and smallest value and its count
 * are what the reader must give. Where a file does something unusual, the comment says what the reader does with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cadence, LogFormat, RunLog, Split } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { CONSOLE_LOGS_DIR } from '../support/console-logs.ts';

interface Expected {
  format: LogFormat;
  runs: number;
  /** Per run index: every series of that run, as [key, split, cadence, points]. */
  series: Record<number, Record<string, [string, Split, Cadence, number]>>;
  /** [run, series name, first, last, middle, min] */
  values: Array<[number, string, number, number, number, number]>;
}

const EXPECTED: Record<string, Expected> = {
  '001_pytorch_print_epoch_batch_pipes.log': {
    format: 'console_text',
    runs: 3,
    series: {
      0: { 'learning_rate': ['lr', 'train', 'epoch', 20], 'loss': ['loss', 'train', 'step', 200], 'train_acc': ['accuracy', 'train', 'epoch', 20], 'loss_epoch': ['loss', 'train', 'epoch', 20], 'test_acc': ['accuracy', 'val', 'epoch', 20], 'test_loss': ['loss', 'val', 'epoch', 20] },
      1: { 'learning_rate': ['lr', 'train', 'epoch', 20], 'loss': ['loss', 'train', 'step', 200], 'train_acc': ['accuracy', 'train', 'epoch', 20], 'loss_epoch': ['loss', 'train', 'epoch', 20], 'test_acc': ['accuracy', 'val', 'epoch', 20], 'test_loss': ['loss', 'val', 'epoch', 20] },
      2: { 'learning_rate': ['lr', 'train', 'epoch', 20], 'loss': ['loss', 'train', 'step', 200], 'train_acc': ['accuracy', 'train', 'epoch', 20], 'loss_epoch': ['loss', 'train', 'epoch', 20], 'test_acc': ['accuracy', 'val', 'epoch', 20], 'test_loss': ['loss', 'val', 'epoch', 20] },
    },
    values: [
      [0, 'loss', 2.4086, 0.0367, 0.0444, 0.0029],
      [0, 'loss_epoch', 0.1574, 0.0307, 0.0397, 0.0296],
      [0, 'train_acc', 0.9506, 0.99033, 0.9874700000000001, 0.9506],
      [0, 'test_loss', 0.0829, 0.0206, 0.0292, 0.0186],
      [0, 'test_acc', 0.9743, 0.9940000000000001, 0.9908, 0.9743],
      [0, 'learning_rate', 0.01, 0.01, 0.01, 0.01],
      [1, 'loss', 2.3873, 0.0341, 0.0555, 0.0033],
      [1, 'loss_epoch', 0.1524, 0.0293, 0.0299, 0.0293],
      [1, 'train_acc', 0.9522, 0.9908, 0.9905700000000001, 0.9522],
      [1, 'test_loss', 0.0569, 0.0247, 0.0202, 0.0184],
      [1, 'test_acc', 0.9815, 0.9921, 0.9931000000000001, 0.9815],
      [1, 'learning_rate', 0.01, 0.01, 0.01, 0.01],
      [2, 'loss', 2.3403, 0.008, 0.0027, 0.0006],
      [2, 'loss_epoch', 0.1028, 0.0092, 0.0159, 0.0091],
      [2, 'train_acc', 0.9689, 0.9974, 0.99523, 0.9689],
      [2, 'test_loss', 0.0727, 0.0105, 0.0116, 0.0105],
      [2, 'test_acc', 0.9783000000000001, 0.9969, 0.9962000000000001, 0.9783000000000001],
      [2, 'learning_rate', 0.01, 0.0025, 0.005, 0.0025],
    ],
  },
  '002_pytorch_print_tab_indented_cjk.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'train_acc': ['accuracy', 'train', 'epoch', 50], 'loss': ['loss', 'train', 'epoch', 50], 'test_acc': ['accuracy', 'val', 'epoch', 10], 'test_loss': ['loss', 'val', 'epoch', 10] },
    },
    values: [
      [0, 'loss', 1.4514790959358215, 0.1671503026485443, 0.2623401644080877, 0.1652883155718446],
      [0, 'train_acc', 0.49672, 0.94338, 0.91224, 0.49672],
      [0, 'test_acc', 0.7682, 0.8801000000000001, 0.8698, 0.7682],
      [0, 'test_loss', 0.6848062366247177, 0.3731109771132469, 0.39357122212648393, 0.37186672270298005],
    ],
  },
  '003_pytorch_print_colon_glued.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'train_loss': ['loss', 'train', 'epoch', 40], 'train_dice': ['dice', 'train', 'epoch', 40], 'train_other': ['other', 'train', 'epoch', 40], 'valid_loss': ['loss', 'val', 'epoch', 40], 'valid_dice': ['dice', 'val', 'epoch', 40], 'valid_other': ['other', 'val', 'epoch', 40] },
    },
    values: [
      [0, 'train_loss', 0.888, 0.139, 0.174, 0.139],
      [0, 'train_dice', 0.544, 0.953, 0.938, 0.544],
      [0, 'train_other', 0.834, 0.988, 0.978, 0.834],
      [0, 'valid_loss', 0.524, 0.158, 0.174, 0.158],
      [0, 'valid_dice', 0.782, 0.948, 0.939, 0.782],
      [0, 'valid_other', 0.867, 0.983, 0.978, 0.867],
    ],
  },
  '004_pytorch_print_train_only.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 80], 'train_acc': ['accuracy', 'train', 'epoch', 80], 'train_avg_acc': ['avg_acc', 'train', 'epoch', 80] },
    },
    values: [
      [0, 'loss', 2.689309, 1.461166, 1.560534, 1.461166],
      [0, 'train_acc', 0.450777, 0.959972, 0.918724, 0.450777],
      [0, 'train_avg_acc', 0.239456, 0.937235, 0.871619, 0.239456],
    ],
  },
  '005_pytorch_print_bracket_fields.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 10], 'lr': ['lr', 'train', 'epoch', 10] },
    },
    values: [
      [0, 'loss', 0.23298378779053688, 0.0022983025455847383, 0.0007742738699913025, 0.0006676080349087715],
      [0, 'lr', 0.009304, 0.003003, 0.005803, 0.003003],
    ],
  },
  '006_pytorch_print_epoch_iter_total.log': {
    format: 'console_text',
    runs: 1,
    series: {
      // `total` is the only loss-like value the run prints: read as the loss (loss-terms.ts).
      0: { 'total': ['loss', 'train', 'step', 306], 'val_accuracy': ['accuracy', 'val', 'epoch', 16], 'learning_rate': ['lr', 'train', 'epoch', 16] },
    },
    values: [
      [0, 'total', 1.640443, 1.355443, 1.399215, 1.136489],
      [0, 'val_accuracy', 0.44, 0.544, 0.527, 0.44],
      [0, 'learning_rate', 0.0001, 0.0001, 0.0001, 0.0001],
    ],
  },
  '007_pytorch_tutorial_epoch_loss.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 100] },
    },
    values: [
      [0, 'loss', 0.0169, 0.0013, 0.0017, 0.0013],
    ],
  },
  '008_pytorch_print_every_batch.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 1016], 'accuracy': ['accuracy', 'train', 'step', 1016] },
    },
    values: [
      [0, 'loss', 10.855110168457031, 5.741873264312744, 5.967576026916504, 5.68902587890625],
      [0, 'accuracy', 0, 0.10864745011086474, 0.10570824524312897, 0],
    ],
  },
  '009_minitorch_epoch_val_best.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 250], 'train_accuracy': ['accuracy', 'train', 'epoch', 250], 'val_accuracy': ['accuracy', 'val', 'epoch', 250] },
    },
    values: [
      [0, 'loss', 0.6916125747892592, 0.3271372318267822, 0.3642073604795668, 0.2877589017152786],
      [0, 'train_accuracy', 0.5467000000000001, 0.8044, 0.7933, 0.5467000000000001],
      [0, 'val_accuracy', 0.51, 0.65, 0.72, 0.51],
    ],
  },
  '010_pytorch_print_phase_tagged.log': {
    format: 'console_text',
    runs: 2,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 80], 'val_loss': ['loss', 'val', 'epoch', 80], 'accuracy': ['accuracy', 'train', 'epoch', 20], 'val_accuracy': ['accuracy', 'val', 'epoch', 20] },
      1: { 'loss': ['loss', 'train', 'epoch', 100], 'val_loss': ['loss', 'val', 'epoch', 100], 'accuracy': ['accuracy', 'train', 'epoch', 20], 'val_accuracy': ['accuracy', 'val', 'epoch', 20] },
    },
    values: [
      [0, 'loss', 0.00012, 2e-05, 2.2e-05, 2e-05],
      [0, 'val_loss', 6.9e-05, 2.2e-05, 2.4e-05, 2.2e-05],
      [0, 'accuracy', 0.60531667, 0.9299166700000001, 0.9262, 0.60531667],
      [0, 'val_accuracy', 0.8255, 0.9286, 0.9254000000000001, 0.8255],
      [1, 'loss', 0.000137, 0.006673, 2.8e-05, 2.6e-05],
      [1, 'val_loss', 8.9e-05, 0.006949, 3e-05, 2.8e-05],
      [1, 'accuracy', 0.52335, 0.89433333, 0.8924166700000001, 0.52335],
    ],
  },
  '011_gaitset_iter_keyvalue.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'hard_loss_metric': ['hard_loss_metric', 'train', 'step', 800], 'full_loss_metric': ['full_loss_metric', 'train', 'step', 800], 'mean_dist': ['mean_dist', 'train', 'step', 800], 'lr': ['lr', 'train', 'step', 800] },
    },
    values: [
      [0, 'hard_loss_metric', 0.43646878, 0.16106798, 0.22815581, 0.15757777],
      [0, 'full_loss_metric', 0.19383493, 0.18531343, 0.18980914, 0.18185405],
      [0, 'mean_dist', 0.18835674, 4.68760395, 3.66882133, 0.18835674],
      [0, 'lr', 0.0001, 0.0001, 0.0001, 0.0001],
    ],
  },
  '012_yolov3_eriklindernoren_batch.log': {
    format: 'console_text',
    runs: 1,
    series: {
      // The terms of the `[Losses: …]` group are parts of the loss, their `total` the loss (loss-terms.ts).
      0: { 'loss_x': ['loss_x', 'train', 'step', 71], 'loss_y': ['loss_y', 'train', 'step', 71], 'loss_w': ['loss_w', 'train', 'step', 71], 'loss_h': ['loss_h', 'train', 'step', 71], 'loss_conf': ['loss_conf', 'train', 'step', 71], 'loss_cls': ['loss_cls', 'train', 'step', 71], 'loss': ['loss', 'train', 'step', 71], 'recall': ['recall', 'train', 'step', 71], 'precision': ['precision', 'train', 'step', 71] },
    },
    values: [
      [0, 'loss_x', 0.272151, 0.259093, 0.252457, 0.223946],
      [0, 'loss_y', 0.254906, 0.280025, 0.230583, 0.222781],
      [0, 'loss_w', 4.81865, 1.954182, 2.300115, 1.283977],
      [0, 'loss_h', 4.610126, 1.744288, 2.832083, 1.264578],
      [0, 'loss_conf', 4.368177, 3.184751, 3.479946, 3.026008],
      [0, 'loss_cls', 0.819295, 0.729261, 0.770576, 0.729261],
      [0, 'loss', 15.143305, 8.151598, 9.86576, 7.167264],
      [0, 'recall', 0, 0.19688, 0.02279, 0],
      [0, 'precision', 0, 0.00438, 0.00037, 0],
    ],
  },
  '013_ssd_pytorch_iter_pipes.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 3160] },
    },
    values: [
      [0, 'loss', 3.7949, 2.6336, 3.083, 1.8793],
    ],
  },
  '014_kuangliu_progress_bar.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 100], 'acc': ['accuracy', 'train', 'epoch', 100], 'val_loss': ['loss', 'val', 'epoch', 100], 'val_acc': ['accuracy', 'val', 'epoch', 100] },
    },
    values: [
      [0, 'loss', 2.703, 0.003, 0.081, 0.003],
      [0, 'acc', 0.15342, 0.99958, 0.97148, 0.15342],
      [0, 'val_loss', 1.979, 0.244, 0.322, 0.226],
      [0, 'val_acc', 0.26170000000000004, 0.9420000000000001, 0.907, 0.26170000000000004],
    ],
  },
  '015_nanogpt_step_train_loss.log': {
    format: 'console_text',
    runs: 4,
    series: {
      0: { 'train_loss': ['loss', 'train', 'step', 10], 'val_loss': ['loss', 'val', 'step', 1] },
      1: { 'train_loss': ['loss', 'train', 'step', 1] },
      2: { 'train_loss': ['loss', 'train', 'step', 5], 'val_loss': ['loss', 'val', 'step', 2] },
      3: { 'train_loss': ['loss', 'train', 'step', 600], 'val_loss': ['loss', 'val', 'step', 9] },
    },
    values: [
      [0, 'train_loss', 2.776329, 2.441319, 2.539891, 2.368094],
      [0, 'val_loss', 2.6467, 2.6467, 2.6467, 2.6467],
      [1, 'train_loss', 2.242309, 2.242309, 2.242309, 2.242309],
      [2, 'train_loss', 2.865811, 2.752075, 2.840561, 2.319673],
      [2, 'val_loss', 2.4889, 2.7066, 2.7066, 2.4889],
      [3, 'train_loss', 2.529219, 2.905877, 2.46245, 1.067127],
      [3, 'val_loss', 2.2298, 2.2843, 2.5333, 1.8821],
    ],
  },
  '016_modded_nanogpt_step_kv.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'val_loss': ['loss', 'val', 'step', 8], 'val_bpb': ['bpb', 'val', 'step', 8], 'train_loss': ['loss', 'train', 'step', 132], 'lr_scale': ['lr', 'train', 'step', 132], 'muon_mom': ['muon_mom', 'train', 'step', 132], 'ttt_avg_loss': ['ttt_avg_loss', 'train', 'step', 1] },
    },
    values: [
      [0, 'train_loss', 8.310329, 2.67664, 3.046053, 2.57875],
      [0, 'val_loss', 8.3096, 2.7199, 2.8807, 2.7199],
      [0, 'val_bpb', 3.5663, 1.1673, 1.2363, 1.1673],
      [0, 'lr_scale', 1, 0.0286, 1, 0.0286],
    ],
  },
  '017_print_plus_logging_mixed.log': {
    format: 'pytorch_text',
    runs: 1,
    series: {
      // The logging summaries' train loss is the epoch's: added beside the exact reader's per-step loss.
      0: { 'loss': ['loss', 'train', 'step', 900], 'train_loss': ['loss', 'train', 'epoch', 300], 'train_acc': ['accuracy', 'train', 'epoch', 300], 'test_acc': ['accuracy', 'val', 'epoch', 300] },
    },
    values: [
      [0, 'loss', 0.03681, 0.00606, 0.01535, 0.00338],
      [0, 'train_loss', 0.03664, 0.00514, 0.01401, 0.0051],
      [0, 'train_acc', 0.00996, 0.81938, 0.52248, 0.00996],
      [0, 'test_acc', 0.0103, 0.7677, 0.6024, 0.0103],
    ],
  },
  '018_python_logging_emoji_pipes.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 1302], 'ppl': ['ppl', 'train', 'step', 1302], 'lr': ['lr', 'train', 'step', 1302], 'grad': ['grad', 'train', 'step', 1302], 'val_loss': ['loss', 'val', 'epoch', 2], 'val_perplexity': ['perplexity', 'val', 'epoch', 2], 'loss_epoch': ['loss', 'train', 'epoch', 2] },
    },
    values: [
      [0, 'loss', 8.9351, 0.4631, 0.5187, 0.4031],
      [0, 'lr', 3.27e-05, 1e-06, 0.000152, 1e-06],
      [0, 'loss_epoch', 0.607, 0.4735, 0.4735, 0.4735],
      [0, 'val_loss', 0.5301, 0.4886, 0.4886, 0.4886],
      [0, 'val_perplexity', 1.7, 1.63, 1.63, 1.63],
    ],
  },
  '019_deep_text_recognition_benchmark.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'train_loss': ['loss', 'train', 'step', 231], 'val_loss': ['loss', 'val', 'step', 231], 'val_accuracy': ['accuracy', 'val', 'step', 231], 'val_norm_ed': ['norm_ed', 'val', 'step', 231] },
    },
    values: [
      [0, 'train_loss', 0.00023, 0.00568, 0.00212, 0.00023],
      [0, 'val_loss', 0.00622, 0.00577, 0.00444, 0.00355],
      [0, 'val_accuracy', 0.96083, 0.96172, 0.9616100000000001, 0.95599],
      [0, 'val_norm_ed', 0.39, 0.39, 0.39, 0.38],
    ],
  },
  '020_numpy_mlp_py2_logging.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 500], 'acc': ['accuracy', 'train', 'step', 500] },
    },
    values: [
      [0, 'loss', 2.29926681519, 0.0886547118425, 0.270199686289, 0.000557069666684],
      [0, 'acc', 0.0799999982119, 0.959999978542, 0.920000016689, 0.0799999982119],
    ],
  },
  '021_tf1_ner_logging.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'ner_loss': ['ner_loss', 'train', 'step', 245], 'val_accuracy': ['accuracy', 'val', 'epoch', 5], 'val_precision': ['precision', 'val', 'epoch', 5], 'val_recall': ['recall', 'val', 'epoch', 5], 'val_fb1': ['fb1', 'val', 'epoch', 5], 'val_loc_precision': ['loc_precision', 'val', 'epoch', 5], 'val_loc_recall': ['loc_recall', 'val', 'epoch', 5], 'val_loc_fb1': ['loc_fb1', 'val', 'epoch', 5], 'val_org_precision': ['org_precision', 'val', 'epoch', 5], 'val_org_recall': ['org_recall', 'val', 'epoch', 5], 'val_org_fb1': ['org_fb1', 'val', 'epoch', 5], 'val_per_precision': ['per_precision', 'val', 'epoch', 5], 'val_per_recall': ['per_recall', 'val', 'epoch', 5], 'val_per_fb1': ['per_fb1', 'val', 'epoch', 5], 'test_accuracy': ['accuracy', 'test', 'epoch', 5], 'test_precision': ['precision', 'test', 'epoch', 5], 'test_recall': ['recall', 'test', 'epoch', 5], 'test_fb1': ['fb1', 'test', 'epoch', 5], 'test_loc_precision': ['loc_precision', 'test', 'epoch', 5], 'test_loc_recall': ['loc_recall', 'test', 'epoch', 5], 'test_loc_fb1': ['loc_fb1', 'test', 'epoch', 5], 'test_org_precision': ['org_precision', 'test', 'epoch', 5], 'test_org_recall': ['org_recall', 'test', 'epoch', 5], 'test_org_fb1': ['org_fb1', 'test', 'epoch', 5], 'test_per_precision': ['per_precision', 'test', 'epoch', 5], 'test_per_recall': ['per_recall', 'test', 'epoch', 5], 'test_per_fb1': ['per_fb1', 'test', 'epoch', 5] },
    },
    values: [
      [0, 'ner_loss', 39.714867, 1.525563, 2.376475, 1.073255],
      [0, 'val_accuracy', 0.9665, 0.9801000000000001, 0.976, 0.9665],
      [0, 'val_fb1', 70.64, 86.06, 82.02, 70.64],
      [0, 'test_accuracy', 0.9662000000000001, 0.9781000000000001, 0.9753000000000001, 0.9662000000000001],
      [0, 'test_precision', 0.7237, 0.8402, 0.848, 0.7237],
    ],
  },
  '022_tf_logging_global_step_runs.log': {
    format: 'console_text',
    runs: 9,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 100] },
      1: { 'loss': ['loss', 'train', 'step', 200] },
      2: { 'loss': ['loss', 'train', 'step', 200] },
      3: { 'loss': ['loss', 'train', 'step', 200] },
      4: { 'loss': ['loss', 'train', 'step', 200] },
      5: { 'loss': ['loss', 'train', 'step', 200] },
      6: { 'loss': ['loss', 'train', 'step', 200] },
      7: { 'loss': ['loss', 'train', 'step', 200] },
      8: { 'loss': ['loss', 'train', 'step', 200] },
    },
    values: [
      [0, 'loss', 28.789953, 2.543027, 2.678868, 2.445292],
      [1, 'loss', 28.704704, 2.182066, 2.242987, 2.129073],
      [2, 'loss', 29.04538, 2.2161, 2.215188, 2.107545],
      [3, 'loss', 28.458048, 2.220394, 2.33131, 2.113382],
      [4, 'loss', 28.515163, 2.348342, 2.124914, 2.091491],
      [5, 'loss', 28.7281, 2.242693, 2.263546, 2.106331],
      [6, 'loss', 4.73091, 0.396578, 0.095521, 0.026742],
      [7, 'loss', 2.576561, 0.156644, 0.10823, 0.043358],
      [8, 'loss', 2.438111, 0.27976, 0.190077, 0.026641],
    ],
  },
  '023_python_logging_epoch_train_val.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'train_loss': ['loss', 'train', 'epoch', 50], 'val_loss': ['loss', 'val', 'epoch', 50] },
    },
    values: [
      [0, 'train_loss', 1.6892, 0.0122, 0.0407, 0.0122],
      [0, 'val_loss', 1.2139, 0.4353, 0.4514, 0.4185],
    ],
  },
  '024_reid_baseline_logger.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 812], 'acc': ['accuracy', 'train', 'step', 812], 'lr': ['lr', 'train', 'step', 812] },
    },
    values: [
      [0, 'loss', 0.456, 0.206, 0.212, 0.196],
      [0, 'acc', 0.887, 0.91, 0.909, 0.887],
      [0, 'lr', 3.82e-05, 0.00035, 0.000246, 3.82e-05],
    ],
  },
  '025_yolov4_logging_pipes_tqdm.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'total_loss': ['loss', 'train', 'step', 184], 'loss_ciou': ['loss_ciou', 'train', 'step', 184], 'loss_conf': ['loss_conf', 'train', 'step', 184], 'loss_cls': ['loss_cls', 'train', 'step', 184], 'lr': ['lr', 'train', 'step', 184], 'map': ['map', 'train', 'epoch', 9], 'test_map': ['map', 'val', 'epoch', 9] },
    },
    values: [
      [0, 'total_loss', 1880.2804, 3.2738, 3.7436, 1.239],
      [0, 'loss_ciou', 1.4793, 1.5178, 1.5446, 0.8155],
      [0, 'loss_conf', 1877.7195, 1.6196, 2.0017, 0.4044],
      [0, 'loss_cls', 1.0815, 0.1364, 0.1973, 0.0191],
      [0, 'test_map', 0.113, 0.745, 0.383, 0.113],
    ],
  },
  '026_fairseq_style_pipes_lr_sweep.log': {
    format: 'console_text',
    runs: 8,
    series: {
      0: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      1: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      2: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      3: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      4: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      5: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      6: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
      7: { 'train_loss': ['loss', 'train', 'epoch', 20], 'acc': ['accuracy', 'train', 'epoch', 20], 'prec': ['prec', 'train', 'epoch', 20], 'rec': ['rec', 'train', 'epoch', 20], 'f1': ['f1', 'train', 'epoch', 20], 'val_loss': ['loss', 'val', 'epoch', 20], 'val_acc': ['accuracy', 'val', 'epoch', 20], 'val_f1': ['f1', 'val', 'epoch', 20] },
    },
    values: [
      [0, 'train_loss', 0.549, 0.003, 0.089, 0.003],
      [0, 'val_loss', 0.406, 0.868, 0.673, 0.375],
      [0, 'val_acc', 0.858, 0.836, 0.817, 0.817],
      [0, 'f1', 0.475, 1, 0.941, 0.418],
      [1, 'train_loss', 0.549, 0.038, 0.136, 0.01],
      [1, 'val_loss', 0.403, 0.852, 0.602, 0.371],
      [1, 'val_acc', 0.858, 0.829, 0.834, 0.809],
      [1, 'f1', 0.475, 0.973, 0.941, 0.418],
      [2, 'train_loss', 0.549, 0.005, 0.108, 0.005],
      [2, 'val_loss', 0.408, 0.949, 0.767, 0.379],
      [2, 'val_acc', 0.858, 0.83, 0.793, 0.793],
      [2, 'f1', 0.475, 1, 0.907, 0.458],
      [3, 'train_loss', 0.549, 0.02, 0.067, 0.001],
      [3, 'val_loss', 0.404, 0.98, 0.657, 0.373],
      [3, 'val_acc', 0.858, 0.832, 0.829, 0.819],
      [3, 'f1', 0.475, 0.975, 0.945, 0.418],
      [4, 'train_loss', 0.549, 0.004, 0.093, 0.003],
      [4, 'val_loss', 0.404, 1.019, 0.642, 0.369],
      [4, 'val_acc', 0.858, 0.828, 0.808, 0.808],
      [4, 'f1', 0.475, 1, 0.907, 0.418],
      [5, 'train_loss', 0.549, 0.001, 0.049, 0.001],
      [5, 'val_loss', 0.406, 1.023, 0.621, 0.377],
      [5, 'val_acc', 0.858, 0.841, 0.825, 0.82],
      [5, 'f1', 0.475, 1, 1, 0.418],
      [6, 'train_loss', 0.549, 0.001, 0.092, 0.001],
      [6, 'val_loss', 0.399, 1.081, 0.695, 0.377],
      [6, 'val_acc', 0.858, 0.826, 0.823, 0.819],
      [6, 'f1', 0.475, 1, 0.935, 0.418],
      [7, 'train_loss', 0.549, 0.474, 0.443, 0.323],
      [7, 'val_loss', 0.404, 0.41, 0.409, 0.367],
      [7, 'val_acc', 0.858, 0.858, 0.858, 0.858],
      [7, 'f1', 0.475, 0.448, 0.458, 0.413],
    ],
  },
  '027_kaggle_folds_appended.log': {
    format: 'console_text',
    runs: 45,
    series: {
      0: { 'train_loss': ['loss', 'train', 'epoch', 3], 'val_loss': ['loss', 'val', 'epoch', 3], 'score': ['score', 'train', 'epoch', 3] },
      1: { 'train_loss': ['loss', 'train', 'epoch', 3], 'val_loss': ['loss', 'val', 'epoch', 3], 'score': ['score', 'train', 'epoch', 3] },
      20: { 'train_loss': ['loss', 'train', 'epoch', 2], 'val_loss': ['loss', 'val', 'epoch', 2], 'score': ['score', 'train', 'epoch', 2] },
      44: { 'train_loss': ['loss', 'train', 'epoch', 2], 'val_loss': ['loss', 'val', 'epoch', 2], 'score': ['score', 'train', 'epoch', 2], 'text_grp_2': ['text_grp_2', 'train', 'epoch', 1], 'mentioned_groups_grp_2': ['mentioned_groups_grp_2', 'train', 'epoch', 1] },
    },
    values: [
      [0, 'train_loss', 0.6962, 0.6345, 0.6902, 0.6345],
      [0, 'val_loss', 0.6354, 0.6327, 0.6297, 0.6297],
      [0, 'score', 0.3063, 0.3756, 0.354, 0.3063],
      [1, 'train_loss', 0.7688, 0.7936, 0.7704, 0.7688],
      [1, 'val_loss', 0.8388, 0.8388, 0.8388, 0.8388],
      [1, 'score', 0.2047, 0.2047, 0.2047, 0.2047],
      [20, 'train_loss', 0.6498, 0.6308, 0.6308, 0.6308],
      [20, 'val_loss', 0.6373, 0.6546, 0.6546, 0.6373],
      [20, 'score', 0.1529, 0.1662, 0.1662, 0.1529],
      [44, 'train_loss', 0.6664, 0.6318, 0.6318, 0.6318],
      [44, 'val_loss', 0.6362, 0.6369, 0.6369, 0.6362],
      [44, 'score', 0.1033, 0.1068, 0.1068, 0.1033],
    ],
  },
  '028_lerobot_step_kv_suffixes.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 249], 'grdn': ['grad_norm', 'train', 'step', 249], 'lr': ['lr', 'train', 'step', 249] },
    },
    values: [
      [0, 'loss', 2.215, 0.023, 0.031, 0.022],
      [0, 'grdn', 49.836, 3.103, 4.391, 2.876],
    ],
  },
  '029_openpcdet_logging.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 206], 'loss_avg': ['loss_avg', 'train', 'step', 206], 'lr': ['lr', 'train', 'step', 206] },
    },
    values: [
      [0, 'loss', 1.246, 0.6453, 0.7573, 0.56],
      [0, 'loss_avg', 1.25, 0.653, 0.74, 0.596],
    ],
  },
  '030_tqdm_ascii_postfix_plus_summary.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'acc': ['accuracy', 'train', 'epoch', 7], 'loss': ['loss', 'train', 'epoch', 7], 'val_acc': ['accuracy', 'val', 'epoch', 7], 'val_loss': ['loss', 'val', 'epoch', 7], 'train_loss': ['loss', 'train', 'epoch', 7], 'lr': ['lr', 'train', 'epoch', 7] },
    },
    values: [
      [0, 'train_loss', 1.8695, 1.1783, 1.2921, 1.1783],
      [0, 'val_loss', 1.3028, 1.1326, 1.1589, 1.1324],
      [0, 'lr', 0.0001, 0.0001, 0.0001, 0.0001],
      [0, 'loss', 1.0481, 1.2637, 1.5031, 0.9056],
      [0, 'acc', 0.4854, 0.6267, 0.6005, 0.4854],
      [0, 'val_acc', 0.6093999999999999, 0.6386999999999999, 0.6437999999999999, 0.6093999999999999],
    ],
  },
  '031_detectron2_events.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'total_loss': ['loss', 'train', 'step', 98], 'loss_cls': ['loss_cls', 'train', 'step', 98], 'loss_box_reg': ['loss_box_reg', 'train', 'step', 98], 'loss_rpn_cls': ['loss_rpn_cls', 'train', 'step', 98], 'loss_rpn_loc': ['loss_rpn_loc', 'train', 'step', 98], 'lr': ['lr', 'train', 'step', 98], 'ap': ['ap', 'train', 'step', 2], 'ap50': ['ap50', 'train', 'step', 2], 'ap75': ['ap75', 'train', 'step', 2], 'aps': ['aps', 'train', 'step', 2], 'apm': ['apm', 'train', 'step', 2], 'apl': ['apl', 'train', 'step', 2] },
    },
    values: [
      [0, 'total_loss', 0.1562, 0.1634, 0.163, 0.1419],
      [0, 'loss_cls', 0.05295, 0.05849, 0.05806, 0.04471],
      [0, 'loss_box_reg', 0.07796, 0.07894, 0.07878, 0.07078],
      [0, 'lr', 0.02038, 0.04, 0.04, 0.02038],
      [0, 'ap', 14.803, 15.156, 15.156, 14.803],
      [0, 'ap50', 28.889, 29.08, 29.08, 28.889],
    ],
  },
  '032_mmdet2_text_log.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'lr': ['lr', 'train', 'step', 152], 'loss_rpn_cls': ['loss_rpn_cls', 'train', 'step', 152], 'loss_rpn_bbox': ['loss_rpn_bbox', 'train', 'step', 152], 's0.loss_cls': ['s0.loss_cls', 'train', 'step', 152], 's0.acc': ['s0.acc', 'train', 'step', 152], 's0.loss_bbox': ['s0.loss_bbox', 'train', 'step', 152], 's1.loss_cls': ['s1.loss_cls', 'train', 'step', 152], 's1.acc': ['s1.acc', 'train', 'step', 152], 's1.loss_bbox': ['s1.loss_bbox', 'train', 'step', 152], 's2.loss_cls': ['s2.loss_cls', 'train', 'step', 152], 's2.acc': ['s2.acc', 'train', 'step', 152], 's2.loss_bbox': ['s2.loss_bbox', 'train', 'step', 152], 'loss': ['loss', 'train', 'step', 152], 'grad_norm': ['grad_norm', 'train', 'step', 152], 'val_bbox_map': ['bbox_map', 'val', 'step', 30], 'val_bbox_map_50': ['bbox_map_50', 'val', 'step', 30], 'val_bbox_map_75': ['bbox_map_75', 'val', 'step', 30], 'val_bbox_map_s': ['bbox_map_s', 'val', 'step', 30], 'val_bbox_map_m': ['bbox_map_m', 'val', 'step', 30], 'val_bbox_map_l': ['bbox_map_l', 'val', 'step', 30], 'val_bbox_map_copypaste': ['bbox_map_copypaste', 'val', 'step', 30] },
    },
    values: [
      [0, 'loss', 0.6808, 0.0126, 0.0425, 0.0105],
      [0, 'lr', 0.0004983, 0.00125, 0.00125, 0.0004983],
      [0, 's0.acc', 93.8203, 99.7812, 99.6562, 93.8203],
      [0, 'val_bbox_map', 0.154, 0.511, 0.444, 0.154],
    ],
  },
  '033_mmengine_epoch_train_val.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'lr': ['lr', 'train', 'epoch', 45], 'grad_norm': ['grad_norm', 'train', 'epoch', 45], 'loss': ['loss', 'train', 'epoch', 45], 'top1_acc': ['accuracy', 'train', 'epoch', 45], 'top5_acc': ['top5_acc', 'train', 'epoch', 45], 'loss_cls': ['loss_cls', 'train', 'epoch', 45], 'val_acc/top1': ['accuracy', 'val', 'epoch', 9], 'val_acc/top5': ['acc/top5', 'val', 'epoch', 9], 'val_acc/mean1': ['acc/mean1', 'val', 'epoch', 9] },
    },
    values: [
      [0, 'loss', 0.4117, 0.0121, 0.0118, 0.0067],
      [0, 'top1_acc', 0.8592, 1, 1, 0.8592],
      [0, 'val_acc/top1', 0.9619, 0.9677, 0.9654, 0.9608],
    ],
  },
  '034_detr_json_lines.log': {
    format: 'jsonl',
    runs: 1,
    series: {
      0: { 'train_lr': ['lr', 'train', 'epoch', 44], 'train_class_error': ['class_error', 'train', 'epoch', 44], 'train_loss': ['loss', 'train', 'epoch', 44], 'train_loss_bbox': ['loss_bbox', 'train', 'epoch', 44], 'train_loss_bbox_0': ['loss_bbox_0', 'train', 'epoch', 44], 'train_loss_bbox_1': ['loss_bbox_1', 'train', 'epoch', 44], 'train_loss_bbox_2': ['loss_bbox_2', 'train', 'epoch', 44], 'train_loss_bbox_3': ['loss_bbox_3', 'train', 'epoch', 44], 'train_loss_bbox_4': ['loss_bbox_4', 'train', 'epoch', 44], 'train_loss_ce': ['loss_ce', 'train', 'epoch', 44], 'train_loss_ce_0': ['loss_ce_0', 'train', 'epoch', 44], 'train_loss_ce_1': ['loss_ce_1', 'train', 'epoch', 44], 'train_loss_ce_2': ['loss_ce_2', 'train', 'epoch', 44], 'train_loss_ce_3': ['loss_ce_3', 'train', 'epoch', 44], 'train_loss_ce_4': ['loss_ce_4', 'train', 'epoch', 44], 'train_loss_giou': ['loss_giou', 'train', 'epoch', 44], 'train_loss_giou_0': ['loss_giou_0', 'train', 'epoch', 44], 'train_loss_giou_1': ['loss_giou_1', 'train', 'epoch', 44], 'train_loss_giou_2': ['loss_giou_2', 'train', 'epoch', 44], 'train_loss_giou_3': ['loss_giou_3', 'train', 'epoch', 44], 'train_loss_giou_4': ['loss_giou_4', 'train', 'epoch', 44], 'train_cardinality_error_unscaled': ['cardinality_error_unscaled', 'train', 'epoch', 44], 'train_cardinality_error_0_unscaled': ['cardinality_error_0_unscaled', 'train', 'epoch', 44], 'train_cardinality_error_1_unscaled': ['cardinality_error_1_unscaled', 'train', 'epoch', 44], 'train_cardinality_error_2_unscaled': ['cardinality_error_2_unscaled', 'train', 'epoch', 44], 'train_cardinality_error_3_unscaled': ['cardinality_error_3_unscaled', 'train', 'epoch', 44], 'train_cardinality_error_4_unscaled': ['cardinality_error_4_unscaled', 'train', 'epoch', 44], 'train_class_error_unscaled': ['class_error_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_unscaled': ['loss_bbox_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_0_unscaled': ['loss_bbox_0_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_1_unscaled': ['loss_bbox_1_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_2_unscaled': ['loss_bbox_2_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_3_unscaled': ['loss_bbox_3_unscaled', 'train', 'epoch', 44], 'train_loss_bbox_4_unscaled': ['loss_bbox_4_unscaled', 'train', 'epoch', 44], 'train_loss_ce_unscaled': ['loss_ce_unscaled', 'train', 'epoch', 44], 'train_loss_ce_0_unscaled': ['loss_ce_0_unscaled', 'train', 'epoch', 44], 'train_loss_ce_1_unscaled': ['loss_ce_1_unscaled', 'train', 'epoch', 44], 'train_loss_ce_2_unscaled': ['loss_ce_2_unscaled', 'train', 'epoch', 44], 'train_loss_ce_3_unscaled': ['loss_ce_3_unscaled', 'train', 'epoch', 44], 'train_loss_ce_4_unscaled': ['loss_ce_4_unscaled', 'train', 'epoch', 44], 'train_loss_giou_unscaled': ['loss_giou_unscaled', 'train', 'epoch', 44], 'train_loss_giou_0_unscaled': ['loss_giou_0_unscaled', 'train', 'epoch', 44], 'train_loss_giou_1_unscaled': ['loss_giou_1_unscaled', 'train', 'epoch', 44], 'train_loss_giou_2_unscaled': ['loss_giou_2_unscaled', 'train', 'epoch', 44], 'train_loss_giou_3_unscaled': ['loss_giou_3_unscaled', 'train', 'epoch', 44], 'train_loss_giou_4_unscaled': ['loss_giou_4_unscaled', 'train', 'epoch', 44], 'test_class_error': ['class_error', 'val', 'epoch', 44], 'test_loss': ['loss', 'val', 'epoch', 44], 'test_loss_bbox': ['loss_bbox', 'val', 'epoch', 44], 'test_loss_bbox_0': ['loss_bbox_0', 'val', 'epoch', 44], 'test_loss_bbox_1': ['loss_bbox_1', 'val', 'epoch', 44], 'test_loss_bbox_2': ['loss_bbox_2', 'val', 'epoch', 44], 'test_loss_bbox_3': ['loss_bbox_3', 'val', 'epoch', 44], 'test_loss_bbox_4': ['loss_bbox_4', 'val', 'epoch', 44], 'test_loss_ce': ['loss_ce', 'val', 'epoch', 44], 'test_loss_ce_0': ['loss_ce_0', 'val', 'epoch', 44], 'test_loss_ce_1': ['loss_ce_1', 'val', 'epoch', 44], 'test_loss_ce_2': ['loss_ce_2', 'val', 'epoch', 44], 'test_loss_ce_3': ['loss_ce_3', 'val', 'epoch', 44], 'test_loss_ce_4': ['loss_ce_4', 'val', 'epoch', 44], 'test_loss_giou': ['loss_giou', 'val', 'epoch', 44], 'test_loss_giou_0': ['loss_giou_0', 'val', 'epoch', 44], 'test_loss_giou_1': ['loss_giou_1', 'val', 'epoch', 44], 'test_loss_giou_2': ['loss_giou_2', 'val', 'epoch', 44], 'test_loss_giou_3': ['loss_giou_3', 'val', 'epoch', 44], 'test_loss_giou_4': ['loss_giou_4', 'val', 'epoch', 44], 'test_cardinality_error_unscaled': ['cardinality_error_unscaled', 'val', 'epoch', 44], 'test_cardinality_error_0_unscaled': ['cardinality_error_0_unscaled', 'val', 'epoch', 44], 'test_cardinality_error_1_unscaled': ['cardinality_error_1_unscaled', 'val', 'epoch', 44], 'test_cardinality_error_2_unscaled': ['cardinality_error_2_unscaled', 'val', 'epoch', 44], 'test_cardinality_error_3_unscaled': ['cardinality_error_3_unscaled', 'val', 'epoch', 44], 'test_cardinality_error_4_unscaled': ['cardinality_error_4_unscaled', 'val', 'epoch', 44], 'test_class_error_unscaled': ['class_error_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_unscaled': ['loss_bbox_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_0_unscaled': ['loss_bbox_0_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_1_unscaled': ['loss_bbox_1_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_2_unscaled': ['loss_bbox_2_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_3_unscaled': ['loss_bbox_3_unscaled', 'val', 'epoch', 44], 'test_loss_bbox_4_unscaled': ['loss_bbox_4_unscaled', 'val', 'epoch', 44], 'test_loss_ce_unscaled': ['loss_ce_unscaled', 'val', 'epoch', 44], 'test_loss_ce_0_unscaled': ['loss_ce_0_unscaled', 'val', 'epoch', 44], 'test_loss_ce_1_unscaled': ['loss_ce_1_unscaled', 'val', 'epoch', 44], 'test_loss_ce_2_unscaled': ['loss_ce_2_unscaled', 'val', 'epoch', 44], 'test_loss_ce_3_unscaled': ['loss_ce_3_unscaled', 'val', 'epoch', 44], 'test_loss_ce_4_unscaled': ['loss_ce_4_unscaled', 'val', 'epoch', 44], 'test_loss_giou_unscaled': ['loss_giou_unscaled', 'val', 'epoch', 44], 'test_loss_giou_0_unscaled': ['loss_giou_0_unscaled', 'val', 'epoch', 44], 'test_loss_giou_1_unscaled': ['loss_giou_1_unscaled', 'val', 'epoch', 44], 'test_loss_giou_2_unscaled': ['loss_giou_2_unscaled', 'val', 'epoch', 44], 'test_loss_giou_3_unscaled': ['loss_giou_3_unscaled', 'val', 'epoch', 44], 'test_loss_giou_4_unscaled': ['loss_giou_4_unscaled', 'val', 'epoch', 44], 'n_parameters': ['n_parameters', 'train', 'epoch', 44] },
    },
    values: [
      [0, 'train_loss', 18.223146938848735, 8.078968985838898, 9.405155116225327, 8.078968985838898],
      [0, 'test_loss', 14.36296030660026, 7.595713502682817, 8.731253636149933, 7.595713502682817],
      [0, 'train_lr', 9.999999999999121e-05, 1.0000000000000546e-05, 9.999999999999121e-05, 1.0000000000000546e-05],
      [0, 'test_class_error', 21.502648420608082, 6.765957734836176, 8.620955418473997, 6.765957734836176],
    ],
  },
  '035_lightning_wandb_output_log.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'val/accuracy': ['accuracy', 'val', 'step', 41] },
    },
    values: [
      [0, 'val/accuracy', 0.1874, 0.759, 0.6912, 0.1874],
    ],
  },
  '036_lightning_tqdm_crlf.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 812], 'validation_cer': ['cer', 'val', 'step', 1], 'validation_wer': ['wer', 'val', 'step', 1], 'validation_bleu': ['bleu', 'val', 'step', 1] },
    },
    values: [
      [0, 'loss', 10.1, 6.05, 6.15, 5.55],
      [0, 'validation_cer', 0.712, 0.712, 0.712, 0.712],
      // Every validation_* in the file (717 postfixes) is wer=1.120 and bleu=0.000.
      [0, 'validation_wer', 1.12, 1.12, 1.12, 1.12],
      [0, 'validation_bleu', 0, 0, 0, 0],
    ],
  },
  '037_hf_trainer_dict_deepspeed.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 900], 'learning_rate': ['lr', 'train', 'step', 900], 'train_loss': ['loss', 'train', 'step', 1] },
    },
    values: [
      [0, 'loss', 3.5039, 0.0002, 0.0216, 0.0001],
      [0, 'learning_rate', 7.4074074074074075e-06, 0, 0.00010449675442116634, 0],
      [0, 'train_loss', 0.049970862741166557, 0.049970862741166557, 0.049970862741166557, 0.049970862741166557],
    ],
  },
  '038_hf_trainer_tqdm_cr.log': {
    format: 'console_text',
    runs: 2,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 204], 'learning_rate': ['lr', 'train', 'step', 204] },
      1: { 'loss': ['loss', 'train', 'step', 5], 'learning_rate': ['lr', 'train', 'step', 5] },
    },
    values: [
      [0, 'loss', 2.5786, 0.0124, 0.0348, 0.0091],
      [1, 'loss', 0.0126, 0.0114, 0.0109, 0.0109],
    ],
  },
  '039_hf_legacy_tqdm_nested.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 769], 'lr': ['lr', 'train', 'step', 769], 'val_acc': ['accuracy', 'val', 'step', 3] },
    },
    values: [
      [0, 'loss', 0.78, 0.712, 0.813, 0.43],
      [0, 'val_acc', 0.5897435897435898, 0.6438746438746439, 0.6410256410256411, 0.5897435897435898],
    ],
  },
  '040_ultralytics_utf16_ansi.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'box_loss': ['box_loss', 'train', 'epoch', 100], 'cls_loss': ['cls_loss', 'train', 'epoch', 100], 'dfl_loss': ['dfl_loss', 'train', 'epoch', 100], 'val_p': ['p', 'val', 'epoch', 100], 'val_r': ['r', 'val', 'epoch', 100], 'val_map50': ['map50', 'val', 'epoch', 100], 'val_map50-95': ['map50-95', 'val', 'epoch', 100] },
    },
    values: [
      [0, 'box_loss', 3.35, 2.895, 3.665, 2.544],
      [0, 'dfl_loss', 4.334, 4.264, 4.216, 4.157],
      // By hand (UTF-16 decoded, escapes dropped): the last \r state of each `N/100 … box cls dfl` line; every
      // `all 4 17 P R mAP50 mAP50-95` row is zeros (the 101st, after training, re-validates the last epoch).
      [0, 'cls_loss', 5.818, 5.553, 5.671, 5.213],
      [0, 'val_map50', 0, 0, 0, 0],
      [0, 'val_p', 0, 0, 0, 0],
      [0, 'val_r', 0, 0, 0, 0],
    ],
  },
  '041_yolov5_console_cr.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'box_loss': ['box_loss', 'train', 'epoch', 15], 'obj_loss': ['obj_loss', 'train', 'epoch', 15], 'cls_loss': ['cls_loss', 'train', 'epoch', 15], 'val_p': ['p', 'val', 'epoch', 14], 'val_r': ['r', 'val', 'epoch', 14], 'val_map50': ['map50', 'val', 'epoch', 14], 'val_map50-95': ['map50-95', 'val', 'epoch', 14] },
    },
    values: [
      [0, 'box_loss', 0.1136, 0.06312, 0.07232, 0.06312],
      [0, 'val_map50', 0.000891, 0.156, 0.0798, 0.000891],
      // By hand: the last \r state of each `N/499 … box obj cls` line, and each `all 51 113 P R mAP50 mAP50-95` row.
      [0, 'obj_loss', 0.0325, 0.02881, 0.02823, 0.02786],
      [0, 'cls_loss', 0.05719, 0.01426, 0.01856, 0.01345],
      [0, 'val_p', 0.000962, 0.323, 0.461, 0.000962],
      [0, 'val_r', 0.15, 0.251, 0.202, 0.0533],
      [0, 'val_map50-95', 0.000161, 0.0457, 0.0167, 0.000161],
    ],
  },
  '042_caffe_glog_solver.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'test_loss': ['loss', 'val', 'step', 41], 'loss': ['loss', 'train', 'step', 201], 'lr': ['lr', 'train', 'step', 200] },
    },
    values: [
      [0, 'loss', 2.6409, 0.00260472, 0.00504647, 0.00230957],
      [0, 'test_loss', 2.65418, 0.0147376, 0.0151747, 0.0147376],
      [0, 'lr', 0.003, 0.003, 0.003, 0.003],
    ],
  },
  '043_caffe_old_solver_nan.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'test_loss': ['loss', 'val', 'step', 110], 'test_accuracy': ['accuracy', 'val', 'step', 110], 'test_accuracy_1': ['accuracy_1', 'val', 'step', 110], 'test_accuracy_2': ['accuracy_2', 'val', 'step', 110], 'test_accuracy_3': ['accuracy_3', 'val', 'step', 110], 'loss': ['loss', 'train', 'step', 110], 'lr': ['lr', 'train', 'step', 110] },
    },
    values: [
      [0, 'loss', 0.349236, NaN, 4.60778, 0.349236],
      [0, 'test_loss', 0.476513, NaN, 6.85752, 0.476513],
      [0, 'test_accuracy', 0.983622, 1, 5.41756e-41, 5.41686e-41],
      [0, 'test_accuracy_1', 0.670741, 3.53344e-40, 1, 3.52323e-40],
    ],
  },
  '044_xgboost_native_eval.log': {
    format: 'console_text',
    runs: 5,
    series: {
      0: { 'train-rmse': ['rmse', 'train', 'step', 1000], 'validation-rmse': ['rmse', 'val', 'step', 1000] },
      1: { 'train-rmse': ['rmse', 'train', 'step', 1000], 'validation-rmse': ['rmse', 'val', 'step', 1000] },
      2: { 'train-rmse': ['rmse', 'train', 'step', 1000], 'validation-rmse': ['rmse', 'val', 'step', 1000] },
      3: { 'train-rmse': ['rmse', 'train', 'step', 656], 'validation-rmse': ['rmse', 'val', 'step', 656] },
      4: { 'train-rmse': ['rmse', 'train', 'step', 92], 'validation-rmse': ['rmse', 'val', 'step', 92] },
    },
    values: [
      [0, 'train-rmse', 7.109038, 4.899315, 5.174312, 4.899315],
      [0, 'validation-rmse', 7.085521, 5.686321, 5.754035, 5.686105],
      [1, 'train-rmse', 16.771717, 8.899117, 9.587255, 8.899117],
      [1, 'validation-rmse', 16.83762, 10.224705, 10.616988, 10.224705],
      [2, 'train-rmse', 34.817314, 15.070453, 16.095053, 15.070453],
      [2, 'validation-rmse', 34.901268, 17.539146, 18.17976, 17.539146],
      [3, 'train-rmse', 28.608101, 20.590187, 21.626467, 20.590187],
      [3, 'validation-rmse', 27.271013, 22.989647, 23.08709, 22.983252],
      [4, 'train-rmse', 75.710487, 49.564018, 52.964161, 49.564018],
      [4, 'validation-rmse', 75.122208, 52.150017, 54.582203, 52.150017],
    ],
  },
  '045_jax_column_aligned_epochs.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'losstrajs': ['losstrajs', 'train', 'epoch', 204], 'contextsnorm': ['contextsnorm', 'train', 'epoch', 204], 'val_indcrit': ['indcrit', 'val', 'epoch', 204] },
    },
    values: [
      [0, 'losstrajs', 1.81729341, 0.00010319, 0.00018864, 8.903e-05],
      [0, 'val_indcrit', 1.63690937, 0.00011527, 0.00027224, 0.00010007],
    ],
  },
  '046_tf1_step_validation_prints.log': {
    format: 'console_text',
    runs: 2,
    series: {
      0: { 'val_loss': ['loss', 'val', 'step', 8], 'loss': ['loss', 'train', 'step', 70], 'val_acc': ['accuracy', 'val', 'step', 7] },
      1: { 'val_loss': ['loss', 'val', 'step', 16], 'loss': ['loss', 'train', 'step', 150], 'val_acc': ['accuracy', 'val', 'step', 15] },
    },
    values: [
      [0, 'loss', 1.668819, 1.787142, 1.768066, 1.660684],
      [0, 'val_loss', 7.56268, 1.71609, 1.716561, 1.716062],
      [1, 'loss', 1.770151, 1.687672, 1.730808, 1.6294],
      [1, 'val_loss', 7.56268, 1.741123, 1.741393, 1.740961],
    ],
  },
  '047_tf2_running_mean_every_step.log': {
    format: 'console_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'step', 7], 'accuracy': ['accuracy', 'train', 'step', 7], 'loss_epoch': ['loss', 'train', 'epoch', 4], 'accuracy_epoch': ['accuracy', 'train', 'epoch', 4] },
    },
    values: [
      [0, 'loss_epoch', 2.8664, 0.0177, 0.1314, 0.0177],
      [0, 'loss', 4.173, 0.0182, 1.0952, 0.0182],
    ],
  },
  '048_keras_v1_multi_run_frozen_acc.log': {
    format: 'keras_text',
    runs: 3,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 200], 'accuracy': ['accuracy', 'train', 'epoch', 200] },
      1: { 'loss': ['loss', 'train', 'epoch', 200], 'accuracy': ['accuracy', 'train', 'epoch', 200] },
      2: { 'loss': ['loss', 'train', 'epoch', 200], 'accuracy': ['accuracy', 'train', 'epoch', 200] },
    },
    values: [
      [0, 'loss', 2.7108, 1.1108, 1.1251, 1.1108],
      [0, 'accuracy', 0.5339, 0.5885, 0.5885, 0.5339],
      [1, 'loss', 2.7306, 1.4073, 1.4268, 1.4073],
      [1, 'accuracy', 0.4454, 0.4994, 0.4994, 0.4454],
      [2, 'loss', 2.7473, 1.5627, 1.5822, 1.5627],
      [2, 'accuracy', 0.2821, 0.3135, 0.3135, 0.2821],
    ],
  },
  '049_keras_progress_newlines.log': {
    format: 'keras_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 100], 'acc': ['accuracy', 'train', 'epoch', 100] },
    },
    values: [
      [0, 'loss', 1.4529, 0.8973, 0.8681, 0.3071],
      [0, 'acc', 0.2078, 0.8713, 0.7656, 0.1667],
    ],
  },
  '050_keras_backspace_cr.log': {
    format: 'keras_text',
    runs: 2,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 100], 'accuracy': ['accuracy', 'train', 'epoch', 100], 'val_loss': ['loss', 'val', 'epoch', 100], 'val_accuracy': ['accuracy', 'val', 'epoch', 100] },
      1: { 'loss': ['loss', 'train', 'epoch', 8], 'accuracy': ['accuracy', 'train', 'epoch', 8], 'val_loss': ['loss', 'val', 'epoch', 8], 'val_accuracy': ['accuracy', 'val', 'epoch', 8] },
    },
    values: [
      [0, 'loss', 0.9378, 0.1367, 0.1477, 0.072],
      [0, 'accuracy', 0.5724, 0.9655, 0.9448, 0.5724],
      [0, 'val_loss', 0.5133, 0.2935, 0.3394, 0.107],
      [0, 'val_accuracy', 0.8056, 0.8889, 0.8333, 0.6667],
      [1, 'loss', 0.8454, 0.164, 0.2976, 0.164],
      [1, 'accuracy', 0.531, 0.9517, 0.8897, 0.531],
      [1, 'val_loss', 1.1985, 0.1956, 0.3489, 0.1956],
      [1, 'val_accuracy', 0.6111, 0.9722, 0.8056, 0.6111],
    ],
  },
  '051_keras_verbose2_lr_column.log': {
    format: 'keras_text',
    runs: 1,
    series: {
      0: { 'loss': ['loss', 'train', 'epoch', 44], 'accuracy': ['accuracy', 'train', 'epoch', 44], 'val_loss': ['loss', 'val', 'epoch', 44], 'val_accuracy': ['accuracy', 'val', 'epoch', 44], 'lr': ['lr', 'train', 'epoch', 44] },
    },
    values: [
      [0, 'loss', 1.491, 0.5345, 0.7271, 0.5306],
      [0, 'val_loss', 1.778, 0.6173, 0.8045, 0.6164],
      [0, 'lr', 0.01, 1e-05, 0.01, 1e-05],
      // By hand: ` accuracy: x` and `val_accuracy: y` of the 44 epoch lines.
      [0, 'accuracy', 0.4697, 0.8249, 0.7647, 0.4697],
      [0, 'val_accuracy', 0.484, 0.7994, 0.7387, 0.4822],
    ],
  },
};

/** Notes the reader must leave, where a file needs explaining. */
const NOTES: Record<string, RegExp[]> = {
  '001_pytorch_print_epoch_batch_pipes.log': [/^read 260 lines \(from line 4\) with 4 templates: `Epoch: <n>\/<n> \| Batch <n>\/<n> \| Loss: <v>` \(200\)/, /3 runs appended in one file \(counters restart at lines 296, 586\)/, /`Test Acc` → test_acc \(accuracy, test\), `Loss` → test_loss \(loss, test\)/],
  '007_pytorch_tutorial_epoch_loss.log': [/^read 100 of 102 lines with 1 template: `epoch \[<n>\/<n>\], loss:<v>` \(100\)$/],
  '017_print_plus_logging_mixed.log': [/^also read by the general console reader: train_loss \(epoch-level\), train_acc \(epoch-level\), test_acc \(epoch-level\)$/],
  '019_deep_text_recognition_benchmark.log': [/names read as: .*`Valid loss` → val_loss \(loss, val\)/, /read as console output with 6051 byte sequence\(s\) that are not UTF-8 replaced \(019_deep_text_recognition_benchmark.log:7: invalid UTF-8 at byte 418/],
  '021_tf1_ner_logging.log': [/`NER loss` → ner_loss \(ner_loss, train\)/],
  '030_tqdm_ascii_postfix_plus_summary.log': [/read as console output with 5 byte sequence\(s\) that are not UTF-8 replaced/],
  '038_hf_trainer_tqdm_cr.log': [/read as console output with 251 NUL byte\(s\) dropped/, /2 runs appended in one file/],
  '040_ultralytics_utf16_ansi.log': [/`mAP50` → val_map50 \(map50, val\) from the table header/, /`all <\*> <\*> <v> <v> <v> <v>` \(101\)/],
  '044_xgboost_native_eval.log': [/5 runs appended in one file \(counters restart at lines 1004, 2007, 3010, 3672\)/],
};

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function minOf(v: Float64Array): number {
  let m = NaN;
  for (const x of v) if (!Number.isNaN(x) && !(x >= m)) m = x;
  return m;
}

describe.skipIf(!CONSOLE_LOGS_DIR)('the 51 shared console logs', () => {
  const dir = CONSOLE_LOGS_DIR ?? '';
  const read = new Map<string, RunLog[]>();
  const runsOf = (file: string): RunLog[] => {
    let runs = read.get(file);
    if (!runs) read.set(file, (runs = parseFile(new Uint8Array(readFileSync(path.join(dir, file))), file)));
    return runs;
  };

  it('covers every file of the manifest', () => {
    const files = readFileSync(path.join(dir, 'manifest.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, exp] of Object.entries(EXPECTED)) {
    it(`${file}: ${exp.runs} run(s), the right series and values`, () => {
      const runs = runsOf(file);
      expect(runs.map((r) => r.format)).toEqual(Array(exp.runs).fill(exp.format));
      for (const [i, series] of Object.entries(exp.series)) {
        const run = runs[Number(i)]!;
        expect(Object.fromEntries(run.series.map((s) => [s.name, [s.key, s.split, s.cadence, s.values.length]])), `run ${i}`).toEqual(series);
        for (const s of run.series) {
          expect(s.steps.length).toBe(s.values.length);
          for (let k = 1; k < s.steps.length; k++) expect(s.steps[k]!, `${s.name} steps increase`).toBeGreaterThan(s.steps[k - 1]!);
        }
      }
      for (const [i, name, first, last, mid, min] of exp.values) {
        const s = runs[i]!.series.find((x) => x.name === name)!;
        const v = s.values;
        const got = [v[0]!, v[v.length - 1]!, v[v.length >> 1]!, minOf(v)];
        const want = [first, last, mid, min];
        expect(got.every((g, k) => close(g, want[k]!)), `run ${i} ${name}: [first, last, middle, min] = ${got.join(', ')}, expected ${want.join(', ')}`).toBe(true);
      }
      for (const re of NOTES[file] ?? []) expect(runs.flatMap((r) => r.notes).some((n) => re.test(n)), `a note matching ${re}`).toBe(true);
    });
  }

  it('read rate: every file reads to its expected runs (the target is 49 of 51)', () => {
    let ok = 0;
    for (const [file, exp] of Object.entries(EXPECTED)) if (runsOf(file).length === exp.runs) ok++;
    expect(ok).toBeGreaterThanOrEqual(49);
  });
});
