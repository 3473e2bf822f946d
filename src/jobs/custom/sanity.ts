/**
 * The practitioner's sanity checks on a team's own model and data, before a long run (issue 19, /sanity):
 * 1. the loss at initialisation against ln K (a classifier that starts far from chance is initialised or wired wrong);
 * 2. overfit one small batch: the model must reach near-zero loss on BATCH examples within STEPS steps, or something
 *    is wrong with the model, the loss or the labels;
 * 3. the loss must change when the inputs are zeroed (a model whose output ignores its input learns nothing from it).
 * Runs on whichever TensorFlow.js backend is loaded; the checks and their thresholds are here, the faces only print.
 * A model with several inputs or outputs is checked as its training job sets it up (runSanityOfJob): the data mapped
 * to each input and output, the outputs' losses from the compile config, summed with their weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataTable } from '../../datacheck/table.ts';
import { TRAIN } from '../../datacheck/table.ts';
import type { BuiltModel } from '../build-model.ts';
import type { Dataset } from '../dataset.ts';
import { batchTensors, disposeBatch } from '../job-batches.ts';
import { batchLoss, type ModelIO } from '../model-io.ts';

/** Examples in the batch to overfit, steps allowed, and the learning rate (Adam). */
export const BATCH = 32;
export const STEPS = 500;
export const LEARNING_RATE = 1e-2;
/** Initial cross-entropy within this factor of ln K counts as at chance; beyond the second it fails, between them warns. */
export const INITIAL_LOSS_FACTOR = 1.5;
export const INITIAL_LOSS_FAIL_FACTOR = 3;
/** Overfit: the final loss must be under this (cross-entropy; for MSE, a hundredth of the target's variance). */
export const OVERFIT_LOSS = 0.05;
/** Zeroed inputs must move the loss by at least this share of the real-input loss (or 0.1 absolute). */
export const INPUT_EFFECT = 0.5;

export type SanityLoss = 'crossentropy' | 'mse';
export type SanityStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export interface SanityItem {
  id: 'initial_loss' | 'overfit_batch' | 'input_dependence';
  title: string;
  status: SanityStatus;
  summary: string;
  fix?: string;
  evidence: Record<string, number | string | null>;
}

export interface SanityReport {
  status: 'pass' | 'fail';
  loss: string;
  batch: number;
  steps: number;
  items: SanityItem[];
  notes: string[];
  /** A model with several inputs or outputs: the inputs fed and the outputs scored, as its training job maps them. */
  io?: SanityIO;
}

export interface SanityIO {
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; loss: string; weight: number; targets: string; judged: boolean }[];
}

export class ModelDataMismatch extends Error {}

/** The loss at initialisation against the chance level: within INITIAL_LOSS_FACTOR passes, beyond INITIAL_LOSS_FAIL_FACTOR fails. */
function judgeInitialLoss(initial: number, chance: number): { ratio: number; ok: boolean; status: SanityStatus } {
  const ratio = initial / chance;
  const ok = Number.isFinite(initial) && ratio <= INITIAL_LOSS_FACTOR && ratio >= 1 / INITIAL_LOSS_FACTOR;
  const bad = !Number.isFinite(initial) || ratio > INITIAL_LOSS_FAIL_FACTOR || ratio < 1 / INITIAL_LOSS_FAIL_FACTOR;
  return { ratio, ok, status: ok ? 'pass' : bad ? 'fail' : 'warn' };
}

interface LossFn {
  name: string;
  fn: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar;
  target: tf.Tensor;
  /** The loss at chance, when there is one. */
  chance: number | null;
}

function lastActivation(model: tf.LayersModel): string {
  const cfg = model.layers[model.layers.length - 1]!.getConfig() as { activation?: string };
  return typeof cfg.activation === 'string' ? cfg.activation : 'linear';
}

function lossFor(kind: SanityLoss, model: tf.LayersModel, labels: Int32Array, k: number): LossFn {
  const units = (model.outputs[0]!.shape as number[])[(model.outputs[0]!.shape as number[]).length - 1]!;
  const act = lastActivation(model);
  const n = labels.length;
  if (kind === 'mse') {
    const target = units === k ? tf.oneHot(tf.tensor1d(labels, 'int32'), k).toFloat() : tf.tensor2d(Array.from(labels), [n, 1]).tile([1, units]);
    return { name: `mean squared error against ${units === k ? 'one-hot labels' : 'the class index'}`, fn: (y, p) => tf.losses.meanSquaredError(y, p) as tf.Scalar, target, chance: null };
  }
  if (units !== k && !(units === 1 && k === 2)) throw new ModelDataMismatch(`the model has ${units} output unit${units === 1 ? '' : 's'} and the data ${k} classes: cross-entropy needs one unit per class (or one sigmoid unit for two)`);
  if (units === 1) {
    const target = tf.tensor2d(Array.from(labels), [n, 1]);
    const fromLogits = act !== 'sigmoid';
    return {
      name: `binary cross-entropy${fromLogits ? ' from logits' : ''}`,
      fn: (y, p) => (fromLogits ? tf.losses.sigmoidCrossEntropy(y, p) : tf.metrics.binaryCrossentropy(y, p).mean()) as tf.Scalar,
      target,
      chance: Math.log(2),
    };
  }
  const target = tf.oneHot(tf.tensor1d(labels, 'int32'), k).toFloat();
  const fromLogits = act !== 'softmax';
  return {
    name: `categorical cross-entropy${fromLogits ? ' from logits' : ''}`,
    fn: (y, p) => (fromLogits ? tf.losses.softmaxCrossEntropy(y, p) : tf.metrics.categoricalCrossentropy(y, p).mean()) as tf.Scalar,
    target,
    chance: Math.log(k),
  };
}

/** BATCH training examples, the classes dealt round-robin so a small batch holds every class. */
export function sanityBatch(t: DataTable, size = BATCH): number[] {
  return balancedBatch(t.y, t.classNames.length, (i) => t.split[i] === TRAIN, size);
}

/** `size` of the examples `keep` lets through, the classes dealt round-robin. */
function balancedBatch(y: ArrayLike<number>, classes: number, keep: (i: number) => boolean, size: number): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < y.length; i++) if (keep(i)) byClass[y[i]!]!.push(i);
  const out: number[] = [];
  for (let r = 0; out.length < size; r++) {
    let any = false;
    for (const members of byClass) {
      if (r < members.length && out.length < size) {
        out.push(members[r]!);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

export async function runSanity(model: tf.LayersModel, t: DataTable, o: { loss?: SanityLoss; steps?: number; batch?: number; learningRate?: number } = {}): Promise<SanityReport> {
  const steps = o.steps ?? STEPS;
  const inShape = (model.inputs[0]!.shape as Array<number | null>).slice(1);
  if (inShape.some((d) => d === null)) throw new ModelDataMismatch(`the model's input shape (${inShape.join(', ')}) has free dimensions: expected a fixed input shape`);
  const per = (inShape as number[]).reduce((a, b) => a * b, 1);
  if (per !== t.featureSize) {
    throw new ModelDataMismatch(`the model takes inputs of shape (${inShape.join(', ')}) = ${per} values, the data's examples have ${t.featureSize} (${t.inputShape.join('×')})`);
  }
  const idx = sanityBatch(t, o.batch ?? BATCH);
  const k = t.classNames.length;
  const xs = new Float32Array(idx.length * per);
  idx.forEach((i, r) => xs.set(t.x.subarray(i * per, (i + 1) * per), r * per));
  const labels = Int32Array.from(idx, (i) => t.y[i]!);
  const x = tf.tensor(xs, [idx.length, ...(inShape as number[])]);
  const zeros = tf.zerosLike(x);
  const loss = lossFor(o.loss ?? 'crossentropy', model, labels, k);
  const evalLoss = (input: tf.Tensor) => tf.tidy(() => loss.fn(loss.target, model.predict(input) as tf.Tensor).dataSync()[0]!);
  const notes: string[] = [];
  try {
    const initial = evalLoss(x);
    const optimizer = tf.train.adam(o.learningRate ?? LEARNING_RATE);
    let last = initial;
    let reachedAt: number | null = null;
    const targetLoss = loss.chance === null ? Math.max(1e-4, initial * 0.01) : OVERFIT_LOSS;
    for (let s = 1; s <= steps; s++) {
      const cost = optimizer.minimize(() => loss.fn(loss.target, model.apply(x, { training: true }) as tf.Tensor), true)!;
      last = cost.dataSync()[0]!;
      cost.dispose();
      if (!Number.isFinite(last)) break;
      if (last <= targetLoss && reachedAt === null) {
        reachedAt = s;
        break;
      }
    }
    optimizer.dispose();
    const trained = evalLoss(x);
    const zeroed = evalLoss(zeros);
    const accuracy = tf.tidy(() => {
      const p = model.predict(x) as tf.Tensor;
      const pred = p.shape[p.shape.length - 1] === 1 ? p.greater(0.5).toInt().reshape([-1]) : p.argMax(-1);
      return pred.equal(tf.tensor1d(labels, 'int32')).mean().dataSync()[0]!;
    });

    const items: SanityItem[] = [];
    if (loss.chance === null) {
      items.push({ id: 'initial_loss', title: 'Loss at initialisation', status: 'unknown', summary: `${fmt(initial)} (${loss.name}): no chance level to compare with`, evidence: { initialLoss: initial } });
    } else {
      const { ratio, ok, status } = judgeInitialLoss(initial, loss.chance);
      items.push({
        id: 'initial_loss',
        title: 'Loss at initialisation',
        status,
        summary: `${fmt(initial)} against ln ${k} = ${fmt(loss.chance)} for ${k} classes (${fmt(ratio)}×)`,
        fix: ok ? undefined : 'A fresh classifier should start near chance: check the input scale (unnormalised inputs make the first predictions confident), the output activation against the loss (probabilities fed as logits, or the reverse), the last layer\'s initialisation and the label encoding.',
        evidence: { initialLoss: initial, chanceLoss: loss.chance, ratio },
      });
    }
    const overfit = reachedAt !== null;
    items.push({
      id: 'overfit_batch',
      title: `Overfit one batch of ${idx.length}`,
      status: overfit ? 'pass' : 'fail',
      summary: overfit
        ? `loss ${fmt(initial)} → ${fmt(last)} in ${reachedAt} steps (target ${fmt(targetLoss)}); batch accuracy ${Math.round(accuracy * 100)} %`
        : `loss ${fmt(initial)} → ${fmt(trained)} after ${steps} steps, not under ${fmt(targetLoss)}; batch accuracy ${Math.round(accuracy * 100)} %`,
      fix: overfit ? undefined : 'A model that cannot memorise one small batch has a bug: check the output layer (units, activation) against the loss and the labels, that the labels line up with the inputs, and that gradients reach every layer; try a larger learning rate only after those.',
      evidence: { initialLoss: initial, finalLoss: trained, steps: reachedAt ?? steps, targetLoss, batchAccuracy: accuracy },
    });
    const moved = Math.abs(zeroed - trained);
    const depends = Number.isFinite(moved) && (moved >= INPUT_EFFECT * Math.max(trained, 1e-3) || moved >= 0.1);
    items.push({
      id: 'input_dependence',
      title: 'Loss depends on the inputs',
      status: depends ? 'pass' : 'fail',
      summary: `loss ${fmt(trained)} on the batch, ${fmt(zeroed)} with the inputs zeroed`,
      fix: depends ? undefined : 'The output barely changes without the inputs: the model is not using them (a constant output such as a one-unit softmax, a disconnected or dead layer, inputs scaled to nothing).',
      evidence: { loss: trained, zeroedInputsLoss: zeroed },
    });
    return { status: items.some((i) => i.status === 'fail') ? 'fail' : 'pass', loss: loss.name, batch: idx.length, steps, items, notes };
  } finally {
    x.dispose();
    zeros.dispose();
    loss.target.dispose();
  }
}

/** What a head is trained against, in words. */
function targetsText(io: ModelIO, i: number): string {
  const h = io.heads[i]!;
  if (i === io.main) return 'the class labels';
  if (h.loss === 'none') return 'nothing (no loss)';
  return h.targets === 'own' ? `y_${h.name}` : h.targets === 'onehot' ? 'the class labels one-hot' : 'the class index';
}

/**
 * The same three checks on a model with several inputs or outputs, as its training job sets it up (custom-job.ts:
 * the model built and rewritten, the data mapped to each input and output, each output's loss from the compile
 * config): one batch fed as the job feeds it (job-batches.ts), scored by the job's loss, the weighted sum of the
 * outputs' losses (model-io.ts). The overfit is of that sum, each trained output to its own near-zero target; the
 * loss at initialisation is the judged output's (the classifier the checklist judges) against ln K; the input check
 * zeroes every input.
 */
export async function runSanityOfJob(built: BuiltModel, train: Dataset, o: { steps?: number; batch?: number; learningRate?: number } = {}): Promise<SanityReport> {
  const io = built.io;
  const forward = built.logits;
  if (!io || !forward) throw new Error('runSanityOfJob needs a model with several inputs or outputs, as a job sets it up');
  const steps = o.steps ?? STEPS;
  const k = train.classes;
  const idx = balancedBatch(train.y, k, () => true, o.batch ?? BATCH);
  const batch = batchTensors(train, idx, 0, idx.length, undefined, io);
  const targets = batch.targets ?? [batch.y];
  const inputs = Array.isArray(batch.x) ? batch.x : [batch.x];
  const zeros = inputs.map((t) => tf.zerosLike(t));
  const feed = (xs: tf.Tensor[]) => (xs.length === 1 ? xs[0]! : xs);
  const outsOf = (xs: tf.Tensor[], training: boolean): tf.Tensor[] => {
    const raw = forward.apply(feed(xs), { training }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(raw) ? raw : [raw];
  };
  /** The total and each head's loss on the batch (inference mode). */
  const evalLosses = (xs: tf.Tensor[]): { total: number; parts: number[] } =>
    tf.tidy(() => {
      const { total, parts } = batchLoss(io, outsOf(xs, false), targets);
      return { total: total.dataSync()[0]!, parts: parts.map((p) => p.dataSync()[0]!) };
    });
  const heads = io.heads;
  const main = io.main;
  const judged = heads[main]!.name;
  const trained = heads.map((h) => h.loss !== 'none' && h.weight > 0);
  const report: SanityIO = {
    inputs: io.inputs.map((i) => ({ name: i.name, shape: i.shape })),
    outputs: heads.map((h, i) => ({ name: h.name, loss: h.label, weight: h.weight, targets: targetsText(io, i), judged: i === main })),
  };
  const names = (list: string[]) => list.map((n) => `'${n}'`).join(', ');
  try {
    const initial = evalLosses(inputs);
    // Each trained output's near-zero target (cross-entropies as a classifier's; a regression a hundredth of where it
    // started); the sum's target is their weighted sum.
    const headTarget = heads.map((h, i) => (!trained[i] ? 0 : h.loss === 'mse' || h.loss === 'mae' ? Math.max(1e-4, initial.parts[i]! * 0.01) : OVERFIT_LOSS));
    const targetLoss = heads.reduce((a, h, i) => a + (trained[i] ? h.weight * headTarget[i]! : 0), 0);
    const optimizer = tf.train.adam(o.learningRate ?? LEARNING_RATE);
    let last = initial.total;
    let reachedAt: number | null = null;
    for (let s = 1; s <= steps; s++) {
      const cost = optimizer.minimize(() => batchLoss(io, outsOf(inputs, true), targets).total, true)!;
      last = cost.dataSync()[0]!;
      cost.dispose();
      if (!Number.isFinite(last)) break;
      if (last <= targetLoss) {
        reachedAt = s;
        break;
      }
    }
    optimizer.dispose();
    const after = evalLosses(inputs);
    const zeroed = evalLosses(zeros);
    const accuracy = tf.tidy(() => outsOf(inputs, false)[main]!.argMax(-1).equal(tf.tensor1d(batch.labels, 'int32')).mean().dataSync()[0]!);
    const perHead = (v: { parts: number[] }) => Object.fromEntries(heads.map((h, i) => [`${h.name}Loss`, v.parts[i]!]));

    const items: SanityItem[] = [];
    const first = initial.parts[main]!;
    const chance = Math.log(k);
    const { ratio, ok, status } = judgeInitialLoss(first, chance);
    items.push({
      id: 'initial_loss',
      title: 'Loss at initialisation',
      status,
      summary: `the judged output '${judged}': ${fmt(first)} against ln ${k} = ${fmt(chance)} for ${k} classes (${fmt(ratio)}×)`,
      fix: ok ? undefined : `A fresh classifier should start near chance: check the input scale (unnormalised inputs make the first predictions confident), the activation of '${judged}' against its loss (probabilities fed as logits, or the reverse), its last layer's initialisation and the label encoding.`,
      evidence: { output: judged, initialLoss: first, chanceLoss: chance, ratio },
    });
    const overfit = reachedAt !== null;
    const stuck = heads.map((h, i) => i).filter((i) => trained[i] && !(after.parts[i]! <= headTarget[i]!));
    const headLine = (i: number) => `'${heads[i]!.name}' (${heads[i]!.label}${heads[i]!.weight !== 1 ? ` × ${heads[i]!.weight}` : ''}) ${fmt(initial.parts[i]!)} → ${fmt(after.parts[i]!)}, target ${fmt(headTarget[i]!)}`;
    items.push({
      id: 'overfit_batch',
      title: `Overfit one batch of ${idx.length}`,
      status: overfit ? 'pass' : 'fail',
      summary: overfit
        ? `weighted sum of the outputs' losses ${fmt(initial.total)} → ${fmt(last)} in ${reachedAt} steps (target ${fmt(targetLoss)}); ${heads.map((_, i) => i).filter((i) => trained[i]).map((i) => `'${heads[i]!.name}' ${fmt(initial.parts[i]!)} → ${fmt(after.parts[i]!)}`).join(', ')}; '${judged}' batch accuracy ${Math.round(accuracy * 100)} %`
        : `weighted sum of the outputs' losses ${fmt(initial.total)} → ${fmt(after.total)} after ${steps} steps, not under ${fmt(targetLoss)}; ${stuck.length ? `stuck: ${stuck.map(headLine).join('; ')}` : heads.map((_, i) => i).filter((i) => trained[i]).map(headLine).join('; ')}; '${judged}' batch accuracy ${Math.round(accuracy * 100)} %`,
      fix: overfit
        ? undefined
        : `A model that cannot memorise one small batch has a bug${stuck.length ? `, here in ${stuck.length === 1 ? 'output' : 'outputs'} ${names(stuck.map((i) => heads[i]!.name))}` : ''}: check each output layer (units, activation: a one-unit softmax is a constant) against its loss and targets, that the targets line up with the inputs, and that gradients reach every layer; try a larger learning rate only after those.`,
      evidence: { initialLoss: initial.total, finalLoss: after.total, steps: reachedAt ?? steps, targetLoss, batchAccuracy: accuracy, stuckOutputs: stuck.map((i) => heads[i]!.name).join(', ') || null, ...perHead(after) },
    });
    const moved = Math.abs(zeroed.total - after.total);
    const depends = Number.isFinite(moved) && (moved >= INPUT_EFFECT * Math.max(after.total, 1e-3) || moved >= 0.1);
    items.push({
      id: 'input_dependence',
      title: 'Loss depends on the inputs',
      status: depends ? 'pass' : 'fail',
      summary: `weighted sum ${fmt(after.total)} on the batch, ${fmt(zeroed.total)} with every input zeroed (${names(io.inputs.map((i) => i.name))}); '${judged}' ${fmt(after.parts[main]!)} → ${fmt(zeroed.parts[main]!)}`,
      fix: depends ? undefined : 'The outputs barely change without the inputs: the model is not using them (a constant output such as a one-unit softmax, a disconnected or dead layer, inputs scaled to nothing).',
      evidence: { loss: after.total, zeroedInputsLoss: zeroed.total, zeroedInputs: io.inputs.map((i) => i.name).join(', '), ...Object.fromEntries(heads.map((h, i) => [`${h.name}ZeroedLoss`, zeroed.parts[i]!])) },
    });
    const lossText = `weighted sum of the outputs' losses: ${heads.map((h, i) => `'${h.name}' ${h.label}${h.weight !== 1 ? ` × ${h.weight}` : ''}${i === main ? ' (judged)' : ''}`).join(' + ')}`;
    return { status: items.some((i) => i.status === 'fail') ? 'fail' : 'pass', loss: lossText, batch: idx.length, steps, items, notes: [], io: report };
  } finally {
    disposeBatch(batch);
    tf.dispose(zeros);
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}
