import type { Direction, Split } from '../domain/run.ts';

export interface MetricName {
  key: string;
  split: Split;
  direction: Direction;
}

const ACCURACY_NAMES = new Set([
  'acc', 'accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy', 'binary_accuracy', 'top1', 'top_1_accuracy',
  // Top-1 accuracy as timm, the PyTorch ImageNet example and torchvision's references print it.
  'acc@1', 'prec@1', 'top-1', 'top-1_acc', 'acc_top-1', 'top-1_accuracy',
]);
/** More ways a top-1 accuracy is named: `top1_acc`, `acc1` (timm's validate), `accuracy_top1`. */
const TOP1_ACCURACY = /^(top_?1_acc(uracy)?|acc(uracy)?[_/]?top_?1|acc_?1)$/;
/**
 * torchmetrics' class names as Lightning logs them (`val_MulticlassAccuracy`, `train_BinaryF1Score`): the task prefix
 * says nothing about what is measured.
 */
const TORCHMETRICS = /^(multiclass|binary|multilabel|multitask)_?(accuracy|f1_?score|precision|recall|auroc|average_?precision|jaccard_?index)$/;
const TORCHMETRICS_KEY: Record<string, string> = { accuracy: 'accuracy', f1score: 'f1', f1_score: 'f1', precision: 'precision', recall: 'recall', auroc: 'auc', averageprecision: 'average_precision', average_precision: 'average_precision', jaccardindex: 'iou', jaccard_index: 'iou' };
const LR_NAMES = new Set(['lr', 'learning_rate', 'learningrate']);
const GRAD_NORM_NAMES = new Set(['grad_norm', 'gradient_norm', 'grad-norm', 'gradnorm', 'grdn']);
/** Metrics where lower is better. Everything unknown defaults to higher-is-better unless it looks like a loss/error. */
// LightGBM names its regression errors `l1` (the MAE), `l2` (the MSE) and `huber`.
const LOWER_IS_BETTER = /(loss|error|err$|^err|mse|mae|rmse|mape|wer|cer|perplexity|ppl|nll|distance|^lr$|grad_norm|(^|_)time$|duration|^l[12]$|^huber$|^b?ce$|^xent$|cross_?entropy|^runtime$|crit(erion)?$)/i;

const SPLIT_PREFIXES: Array<[RegExp, Split]> = [
  [/^(val|valid|validation|eval|dev)[_\-/.]/i, 'val'],
  [/^test[_\-/.]/i, 'test'],
  [/^(train|training)[_\-/.]/i, 'train'],
];
const SPLIT_SUFFIXES: Array<[RegExp, Split]> = [
  [/[_\-/.](val|valid|validation|eval|dev)$/i, 'val'],
  [/[_\-/.]test$/i, 'test'],
  [/[_\-/.](train|training)$/i, 'train'],
];

/**
 * Maps a raw metric name to its normalised key and split. `val_acc` → accuracy/val, `Loss/train` → loss/train,
 * `lr-AdamW` → lr/train, `train_loss_epoch` → loss/train. Keeps the metric's own name (lower-cased) when unknown.
 */
export function normaliseMetricName(raw: string): MetricName {
  // Words separated by blanks are one name (`Validation Loss` is val_loss, as a table's header or a pasted notebook
  // table writes it, not a training metric called "validation loss").
  let name = raw.trim().replace(/\s+/g, '_');
  // camelCase split words (`valLoss`, `trainAcc`, `lossVal`) are the same names as `val_loss`, `train_acc`, `loss_val`.
  name = name
    .replace(/^([Vv]alidation|[Vv]alid|[Vv]al|[Ee]val|[Dd]ev|[Tt]est|[Tt]raining|[Tt]rain)(?=(Loss|Acc|Accuracy|Error|Err|Top1|F1|Mse|Mae|Rmse)$)/, '$1_')
    .replace(/^(loss|acc|accuracy|Loss|Acc|Accuracy)(?=(Val|Valid|Validation|Eval|Test|Train|Training)$)/, '$1_');
  let split: Split = 'train';
  // An aggregation word before the split (`avg_val_loss`, `mean_train_acc`) stays with the metric: `avg_loss` of val.
  const aggregate = /^(avg|average|mean|running)[_\-/.](?=(val|valid|validation|eval|dev|test|train|training)[_\-/.])/i.exec(name);
  if (aggregate) name = name.slice(aggregate[0].length);
  // Lightning logs the same metric per step and per epoch: the suffix is about cadence, not identity.
  name = name.replace(/[_/](step|epoch)$/i, '');
  // Keras TensorBoard: epoch_loss, epoch_accuracy; but `epoch_time` (Lightning) is the epoch's duration, not a time metric.
  if (/^epoch[_/]/i.test(name) && !/^epoch[_/](time|duration|secs?|seconds)$/i.test(name)) name = name.slice(6);
  for (const [re, s] of SPLIT_PREFIXES) {
    if (re.test(name)) {
      split = s;
      name = name.replace(re, '');
      // `eval_validation_loss`, `eval_test_loss` (a Trainer given several evaluation sets): the inner split names it.
      for (const [inner, t] of SPLIT_PREFIXES) {
        if (inner.test(name)) {
          split = t === 'train' ? split : t;
          if (t !== 'train') name = name.replace(inner, '');
          break;
        }
      }
      break;
    }
  }
  if (split === 'train') {
    for (const [re, s] of SPLIT_SUFFIXES) {
      if (re.test(name)) {
        split = s;
        name = name.replace(re, '');
        break;
      }
    }
  }
  name = name.replace(/[_/](step|epoch)$/i, '');
  if (aggregate) name = `${aggregate[1]}_${name}`;
  // Keras' TensorBoard callback logs per-batch values as batch_loss, batch_accuracy (update_freq in batches): the same
  // metric at step cadence, not a metric called "batch_loss" (batch_size and the like are counters, not metrics).
  if (/^batch[_/]/i.test(name) && !/^batch[_/](size|idx|index|count|num|number|time)$/i.test(name)) name = name.slice(6);
  const lower = name.toLowerCase();
  let key: string;
  const tm = TORCHMETRICS.exec(lower);
  if (ACCURACY_NAMES.has(lower) || TOP1_ACCURACY.test(lower)) key = 'accuracy';
  else if (tm) key = TORCHMETRICS_KEY[tm[2]!] ?? tm[2]!;
  else if (LR_NAMES.has(lower) || /^lr[-_]/.test(lower)) key = 'lr';
  else if (GRAD_NORM_NAMES.has(lower)) key = 'grad_norm';
  // detectron2 and YOLOv4 log the sum of their loss terms as `total_loss` beside the terms (`loss_cls`, …).
  else if (lower === 'loss' || lower === 'objective' || lower === 'cost' || lower === 'total_loss' || lower === 'loss_total') key = 'loss';
  else key = lower;
  if (key === 'lr' || key === 'grad_norm') split = 'train';
  const direction: Direction = key === 'accuracy' ? 'higher' : LOWER_IS_BETTER.test(key) ? 'lower' : 'higher';
  return { key, split, direction };
}

/** Columns that index a row rather than measure something. */
export function isIndexColumn(raw: string): boolean {
  return /^(epoch|epochs|step|steps|global_step|iter|iteration|iterations|_step|_runtime|_timestamp|time|timestamp|wall_time|walltime|created_at|mode|total_flos)$/i.test(raw.trim());
}

/** Names a loss-like column may have (after normalisation), listed in the "no loss-like column" error. */
export const LOSS_LIKE_KEYS = ['loss', '*_loss', 'mse', 'mae', 'rmse', 'l1', 'l2', 'nll', 'cross_entropy', 'ce', 'bce', 'objective', 'cost', 'ppl', 'perplexity'] as const;

/** A column a loss curve can be read from: `loss`, `val_loss`, `train_loss_epoch`, `dice_loss`, `Loss/train`, `mse`… */
export function isLossLike(raw: string): boolean {
  const { key } = normaliseMetricName(raw);
  if (key === 'loss' || /(^|[_\-/.])loss($|[_\-/.\d])/.test(key) || key.endsWith('loss')) return true;
  return /^(mse|mae|rmse|l1|l2|nll|cross_entropy|crossentropy|ce|bce|objective|cost|ppl|perplexity)$/.test(key);
}

/**
 * Columns of a table that are evaluation results though their names carry no split: the measures after a column named
 * as the validation loss that follows one named as the training loss. The transformers Trainer's notebook table is
 * `Epoch | Training Loss | Validation Loss | Accuracy | F1`: compute_metrics' names come without `eval_`, and its
 * Accuracy is the evaluation's. Indices into `names`; empty for any other table (`epoch,loss,val_loss,acc` keeps acc
 * as training: its loss column names no split).
 */
export function evaluatedColumns(names: readonly string[], isPosition: (name: string) => boolean): Set<number> {
  const out = new Set<number>();
  const trainWord = /^(train|training)[\s_\-/.]|[\s_\-/.](train|training)$/i;
  const isLoss = (n: string, split: Split) => {
    const m = normaliseMetricName(n);
    return m.key === 'loss' && m.split === split && (split !== 'train' || trainWord.test(n.trim()));
  };
  const valLoss = names.findIndex((n, k) => isLoss(n, 'val') && names.slice(0, k).some((b) => isLoss(b, 'train')));
  if (valLoss < 0) return out;
  for (let k = valLoss + 1; k < names.length; k++) {
    const n = names[k]!;
    const m = normaliseMetricName(n);
    // A name with its own split prefix or suffix keeps it; positions and the learning rate are no evaluation.
    if (m.split !== 'train' || trainWord.test(n.trim()) || isPosition(n) || m.key === 'lr' || m.key === 'grad_norm') continue;
    out.add(k);
  }
  return out;
}
