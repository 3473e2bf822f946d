import { describe, expect, it } from 'vitest';
import { evaluatedColumns, isLossLike, normaliseMetricName } from '../../src/ingest/metric-names.ts';
import { SeriesBuilder } from '../../src/ingest/series-builder.ts';

describe('normaliseMetricName', () => {
  it.each(['acc', 'accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy'])('%s → accuracy (higher is better)', (raw) => {
    expect(normaliseMetricName(raw)).toEqual({ key: 'accuracy', split: 'train', direction: 'higher' });
  });

  it.each([
    ['val_loss', 'loss'],
    ['eval_loss', 'loss'],
    ['valid_loss', 'loss'],
    ['validation_loss', 'loss'],
    ['loss/val', 'loss'],
    ['val-loss', 'loss'],
    ['val_acc', 'accuracy'],
    ['eval_wer', 'wer'],
    ['valid_accuracy', 'accuracy'],
    ['val_sparse_categorical_accuracy', 'accuracy'],
  ])('%s → %s on the val split', (raw, key) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key, split: 'val' });
  });

  it.each([
    ['test_loss', 'loss'],
    ['test_acc', 'accuracy'],
  ])('%s → %s on the test split', (raw, key) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key, split: 'test' });
  });

  it.each(['lr', 'learning_rate', 'lr-AdamW', 'lr-SGD-momentum'])('%s → lr (train split, lower direction)', (raw) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key: 'lr', split: 'train' });
  });

  it('reads a summed loss (`total_loss`, detectron2 and YOLOv4) as the loss, and lerobot\'s `grdn` as the gradient norm', () => {
    expect(normaliseMetricName('total_loss')).toMatchObject({ key: 'loss', split: 'train', direction: 'lower' });
    expect(normaliseMetricName('val_total_loss')).toMatchObject({ key: 'loss', split: 'val' });
    expect(normaliseMetricName('loss_cls')).toMatchObject({ key: 'loss_cls' });
    expect(normaliseMetricName('grdn')).toMatchObject({ key: 'grad_norm', split: 'train' });
  });

  it('drops Lightning cadence suffixes and train prefixes', () => {
    expect(normaliseMetricName('train_loss_epoch')).toMatchObject({ key: 'loss', split: 'train' });
    expect(normaliseMetricName('train_loss_step')).toMatchObject({ key: 'loss', split: 'train' });
    expect(normaliseMetricName('Loss/train')).toMatchObject({ key: 'loss', split: 'train' });
    expect(normaliseMetricName('epoch_loss')).toMatchObject({ key: 'loss', split: 'train' });
  });

  it('keeps unknown metrics under their own name with a sensible direction', () => {
    expect(normaliseMetricName('dice_coef')).toEqual({ key: 'dice_coef', split: 'train', direction: 'higher' });
    expect(normaliseMetricName('val_wer')).toEqual({ key: 'wer', split: 'val', direction: 'lower' });
    expect(normaliseMetricName('epoch_time')).toEqual({ key: 'epoch_time', split: 'train', direction: 'lower' });
  });
});

describe('names as real loggers write them', () => {
  it.each([
    ['val_MulticlassAccuracy', 'accuracy', 'val'],
    ['train_BinaryAccuracy', 'accuracy', 'train'],
    ['val_MulticlassF1Score', 'f1', 'val'],
    ['val_BinaryAUROC', 'auc', 'val'],
  ])('torchmetrics class name %s → %s (%s)', (raw, key, split) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key, split, direction: 'higher' });
  });

  it.each([
    ['top1_acc', 'train'],
    ['acc1', 'train'],
    ['val_acc1', 'val'],
    ['val_accuracy_top1', 'val'],
    ['val_acc/top1', 'val'],
  ])('top-1 accuracy %s → accuracy (%s)', (raw, split) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key: 'accuracy', split });
  });

  it.each([
    ['valLoss', 'loss', 'val'],
    ['ValLoss', 'loss', 'val'],
    ['trainAcc', 'accuracy', 'train'],
    ['lossVal', 'loss', 'val'],
    ['testLoss', 'loss', 'test'],
  ])('camelCase %s → %s (%s)', (raw, key, split) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key, split });
  });

  it('splits camelCase only around a split word and a measure: a config path keeps its name', () => {
    expect(normaliseMetricName('trainingConfig/optimizer_config/config/learningRate').key).toBe('trainingconfig/optimizer_config/config/learningrate');
  });

  it('keeps an aggregation word before the split with the metric: avg_val_loss is the validation avg_loss', () => {
    expect(normaliseMetricName('avg_val_loss')).toMatchObject({ key: 'avg_loss', split: 'val', direction: 'lower' });
    expect(normaliseMetricName('mean_train_loss')).toMatchObject({ key: 'mean_loss', split: 'train' });
    expect(normaliseMetricName('val_avg_loss')).toMatchObject({ key: 'avg_loss', split: 'val' });
  });

  it('reads a named evaluation set inside eval_ by its own split word', () => {
    expect(normaliseMetricName('eval_test_loss')).toMatchObject({ key: 'loss', split: 'test' });
    expect(normaliseMetricName('eval_validation_loss')).toMatchObject({ key: 'loss', split: 'val' });
    expect(normaliseMetricName('eval_squad_loss')).toMatchObject({ key: 'squad_loss', split: 'val' });
  });

  it.each(['ce', 'val_bce', 'xent', 'cross_entropy', 'train_runtime', 'ValIndCrit', 'val_criterion', 'crit'])('%s is lower-is-better', (raw) => {
    expect(normaliseMetricName(raw).direction).toBe('lower');
  });

  it('a criterion is what PyTorch calls the loss function (criterion = nn.MSELoss()): lower is better, a critic is not', () => {
    expect(normaliseMetricName('critic_score').direction).toBe('higher');
  });
});

describe('names written with blanks (table headers, notebook tables, prose)', () => {
  it.each([
    ['Validation Loss', 'loss', 'val'],
    ['validation loss', 'loss', 'val'],
    ['Valid loss', 'loss', 'val'],
    ['val  loss', 'loss', 'val'],
    ['Training Loss', 'loss', 'train'],
    ['Test Acc', 'accuracy', 'test'],
    ['Learning Rate', 'lr', 'train'],
  ])('%s → %s on the %s split, as its underscored form', (raw, key, split) => {
    expect(normaliseMetricName(raw)).toMatchObject({ key, split });
    expect(normaliseMetricName(raw)).toEqual(normaliseMetricName(raw.trim().replace(/\s+/g, '_')));
  });

  it('takes the measures after a named validation loss that follows a named training loss as evaluation columns', () => {
    const position = (n: string) => /^(epoch|step)$/i.test(n);
    // The transformers Trainer's notebook table.
    expect([...evaluatedColumns(['Epoch', 'Training Loss', 'Validation Loss', 'Accuracy', 'F1'], position)]).toEqual([3, 4]);
    expect([...evaluatedColumns(['Step', 'Training Loss', 'Validation Loss', 'Wer', 'Learning Rate'], position)]).toEqual([3]);
    // Keras' order, a bare loss, or a metric with its own split: nothing is guessed.
    expect([...evaluatedColumns(['epoch', 'loss', 'val_loss', 'acc'], position)]).toEqual([]);
    expect([...evaluatedColumns(['epoch', 'accuracy', 'train_loss', 'val_loss'], position)]).toEqual([]);
    expect([...evaluatedColumns(['epoch', 'train_loss', 'val_loss', 'train_acc', 'val_acc'], position)]).toEqual([]);
  });
});

describe('isLossLike', () => {
  it('accepts loss columns of every split and common error metrics, not accuracy or lr', () => {
    for (const n of ['loss', 'val_loss', 'train_loss_epoch', 'test_loss', 'Loss/train', 'dice_loss', 'mse', 'val_mae', 'perplexity']) expect(isLossLike(n), n).toBe(true);
    for (const n of ['accuracy', 'lr', 'lr-AdamW', 'epoch', 'f1', 'out_tensor([0.])']) expect(isLossLike(n), n).toBe(false);
  });

  it("LightGBM's regression errors (`valid_1's l2`, `l1`, `huber`) are losses, lower is better", () => {
    for (const n of ['l2', 'val_l2', 'train_l1']) expect(isLossLike(n), n).toBe(true);
    for (const n of ['l2', 'valid_l1', 'huber']) expect(normaliseMetricName(n).direction, n).toBe('lower');
    // Names that only contain the letters keep their default.
    for (const n of ['l2_reg_weight', 'level2']) expect(normaliseMetricName(n).direction, n).toBe('higher');
  });
});

describe('SeriesBuilder normalisation', () => {
  it('keeps the original name for display and normalises the key once', () => {
    const b = new SeriesBuilder();
    b.add('val_sparse_categorical_accuracy', 0, 0.5);
    const [s] = b.build('epoch', []);
    expect(s).toMatchObject({ name: 'val_sparse_categorical_accuracy', key: 'accuracy', split: 'val', direction: 'higher' });
  });

  it('scales percent accuracy to 0–1 with a note, but not fractions', () => {
    const b = new SeriesBuilder();
    b.addColumn('train_acc', Float64Array.of(1, 2), Float64Array.of(47.19, 93.0));
    b.add('val_acc', 1, 0.9);
    const notes: string[] = [];
    const series = b.build('epoch', notes);
    expect(Array.from(series[0]!.values)).toEqual([0.4719, 0.93]);
    expect(series[1]!.values[0]).toBe(0.9);
    expect(notes).toEqual(['train_acc: values above 1 read as percent and scaled to 0–1']);
  });

  it('uses test as validation only when no validation exists, saying so', () => {
    const notes: string[] = [];
    const b = new SeriesBuilder();
    b.add('loss', 0, 1);
    b.add('test_loss', 0, 1.2);
    expect(b.build('epoch', notes).find((s) => s.name === 'test_loss')!.split).toBe('val');
    expect(notes).toEqual(['no validation series: test_loss used as validation']);

    const withVal = new SeriesBuilder();
    withVal.add('val_loss', 0, 1);
    withVal.add('test_loss', 0, 1.2);
    const notes2: string[] = [];
    expect(withVal.build('epoch', notes2).find((s) => s.name === 'test_loss')!.split).toBe('test');
    expect(notes2).toEqual([]);
  });

  it('merges add() points and addColumn() chunks of one name in order', () => {
    const b = new SeriesBuilder();
    b.add('loss', 0, 3, 0);
    b.addColumn('loss', Float64Array.of(1, 2), Float64Array.of(2, 1));
    b.add('loss', 3, 0.5);
    const [s] = b.build('step', []);
    expect(Array.from(s!.steps)).toEqual([0, 1, 2, 3]);
    expect(Array.from(s!.values)).toEqual([3, 2, 1, 0.5]);
    expect(Array.from(s!.epochs!)).toEqual([0, NaN, NaN, NaN]);
    expect(b.size).toBe(4);
  });
});

describe('Keras TensorBoard batch-level tags', () => {
  it('reads batch_loss / batch_accuracy as the loss and accuracy (per step), not as metrics of their own', () => {
    expect(normaliseMetricName('batch_loss')).toMatchObject({ key: 'loss', split: 'train' });
    expect(normaliseMetricName('train_batch_accuracy')).toMatchObject({ key: 'accuracy', split: 'train' });
    expect(normaliseMetricName('batch_size').key).toBe('batch_size');
  });
});
