/**
 * The learning-rate range test (Smith 2015; fastai's lr_find): one short run from fresh weights with the rate growing
 * exponentially from MIN_LR to MAX_LR, a new mini-batch each step, stopped when the smoothed loss explodes (over
 * DIVERGE_FACTOR × its best, or not finite). Suggests the rate of steepest descent of the smoothed loss and one
 * order of magnitude below the rate at its minimum (where it is about to diverge), and judges a planned rate against
 * them. Runs on whichever TensorFlow.js backend is loaded; the curve and the suggestions are pure functions below.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataTable } from '../../datacheck/table.ts';
import { TRAIN } from '../../datacheck/table.ts';
import { createRng, permutation } from '../rng.ts';
import type { OptimizerName } from '../job-config.ts';
import { optimizerSpec } from '../graph-step/network-spec.ts';

export const MIN_LR = 1e-7;
export const MAX_LR = 10;
export const STEPS = 100;
export const BATCH = 32;
/** Exponential smoothing of the loss (fastai's 0.98, bias-corrected). */
export const SMOOTHING = 0.98;
/** The run stops when the smoothed loss passes this multiple of its best. */
export const DIVERGE_FACTOR = 4;
/** Decades each slope of the smoothed loss spans (suggestRates). */
export const SLOPE_SPAN = 1;
/** A planned rate this many times the suggestion or more is too high (past the minimum is too high whatever). */
export const TOO_HIGH_FACTOR = 10;

export interface LrPoint {
  lr: number;
  loss: number;
  smoothed: number;
}

export interface LrSuggestion {
  /** Rate of the steepest fall of the smoothed loss. */
  steepest: number | null;
  /** Rate at the smoothed loss's minimum. */
  minimum: number | null;
  /** One order of magnitude below the minimum's rate. */
  minimumOverTen: number | null;
  /** The suggestion: the steepest point, capped at minimum/10… the smaller of the two. */
  suggested: number | null;
  /** Where the run stopped because the loss exploded (null: it reached MAX_LR). */
  divergedAt: number | null;
}

export interface LrVerdict {
  status: 'pass' | 'warn' | 'fail';
  summary: string;
}

export function suggestRates(points: LrPoint[], divergedAt: number | null): LrSuggestion {
  const n = points.length;
  if (n < 5) return { steepest: null, minimum: null, minimumOverTen: null, suggested: null, divergedAt };
  let minAt = 0;
  for (let i = 1; i < n; i++) if (points[i]!.smoothed < points[minAt]!.smoothed) minAt = i;
  // Steepest: the most negative slope per decade, over the part before the minimum, skipping the first quarter (rates
  // up to 1e-5, where the bias-corrected smoothing still averages few batches and wiggles with each). Each slope spans
  // SLOPE_SPAN decades centred on its point: between neighbouring steps (0.08 decade apart) the batch-to-batch noise
  // of a flat start outweighs a real descent. A preset's range test suggested 1.6e-6 from such a wiggle (one step,
  // from the first tenth) while its loss fell between 0.004 and 0.6.
  const from = Math.max(1, Math.floor(n / 4));
  const perDecade = (n - 1) / Math.max(1e-9, Math.log10(points[n - 1]!.lr) - Math.log10(points[0]!.lr));
  const half = Math.max(1, Math.round((SLOPE_SPAN / 2) * perDecade));
  let best = 0;
  let steepAt = -1;
  for (let i = from; i <= minAt; i++) {
    const a = points[Math.max(from - 1, i - half)]!;
    const b = points[Math.min(minAt, i + half)]!;
    if (b === a) continue;
    const slope = (b.smoothed - a.smoothed) / (Math.log10(b.lr) - Math.log10(a.lr));
    if (slope < best) {
      best = slope;
      steepAt = i;
    }
  }
  const minimum = points[minAt]!.lr;
  const steepest = steepAt >= 0 ? points[steepAt]!.lr : null;
  const minimumOverTen = minimum / 10;
  const suggested = steepest !== null ? Math.min(steepest, minimumOverTen) : minimumOverTen;
  return { steepest, minimum, minimumOverTen, suggested, divergedAt };
}

/** A planned learning rate against the range test. */
export function judgeRate(lr: number, s: LrSuggestion): LrVerdict | null {
  if (s.suggested === null || s.minimum === null) return null;
  const times = lr / s.suggested;
  if ((s.divergedAt !== null && lr >= s.divergedAt) || lr >= s.minimum) {
    return { status: 'fail', summary: `${fmt(lr)} is past the loss's minimum at ${fmt(s.minimum)}${s.divergedAt !== null ? ` (it blew up by ${fmt(s.divergedAt)})` : ''}: too high; use ${fmt(s.suggested)}` };
  }
  if (times >= TOO_HIGH_FACTOR) return { status: 'warn', summary: `${fmt(lr)} is ${fmt(times)}× the suggested ${fmt(s.suggested)}, close to where the loss turns: risky` };
  if (times <= 1 / (TOO_HIGH_FACTOR * 10)) return { status: 'warn', summary: `${fmt(lr)} is ${fmt(1 / times)}× below the suggested ${fmt(s.suggested)}: training will crawl` };
  return { status: 'pass', summary: `${fmt(lr)} is within reach of the suggested ${fmt(s.suggested)} (${fmt(times)}×)` };
}

/** The optimizers a job trains with, each with a learning rate the test sweeps. */
export type RateOptimizerName = OptimizerName;

export interface LrFindOptions {
  optimizer?: RateOptimizerName;
  steps?: number;
  batch?: number;
  seed?: number;
  loss?: 'crossentropy' | 'mse';
}

/**
 * One optimiser for a whole sweep (a new one a step would reset Adam's moments, momentum, RMSProp's averages), with
 * a job's hyperparameters for its kind (optimizerSpec), and a way to set its rate before each step.
 */
export function rateOptimizer(kind: RateOptimizerName): { optimizer: tf.Optimizer; setRate: (lr: number) => void } {
  const o = optimizerSpec({ optimizer: kind, learningRate: MIN_LR });
  const optimizer =
    o.kind === 'adam' ? tf.train.adam(MIN_LR, o.beta1, o.beta2, o.epsilon) : o.kind === 'sgd' ? tf.train.sgd(MIN_LR) : o.kind === 'momentum' ? tf.train.momentum(MIN_LR, o.momentum) : tf.train.rmsprop(MIN_LR, o.decay, 0, o.epsilon);
  // SGD and momentum keep the rate as a tensor (setLearningRate); Adam and RMSProp read the field at each step. (Not
  // `instanceof SGDOptimizer`: tfjs' optimizers answer instanceof by duck typing, so any optimizer would pass.)
  const settable = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  const setRate = (lr: number) => {
    if (typeof settable.setLearningRate === 'function') settable.setLearningRate(lr);
    else settable.learningRate = lr;
  };
  return { optimizer, setRate };
}

/**
 * The sweep: `step(lr)` trains one mini-batch at rate lr and returns its loss. The rate grows exponentially from
 * MIN_LR to MAX_LR over `steps` steps; the run stops when the smoothed loss explodes.
 */
export async function sweepRates(step: (lr: number) => number, steps = STEPS): Promise<{ points: LrPoint[]; suggestion: LrSuggestion }> {
  const points: LrPoint[] = [];
  let avg = 0;
  let bestSmoothed = Infinity;
  let divergedAt: number | null = null;
  for (let s = 0; s < steps; s++) {
    const lr = MIN_LR * (MAX_LR / MIN_LR) ** (s / Math.max(1, steps - 1));
    const loss = step(lr);
    avg = SMOOTHING * avg + (1 - SMOOTHING) * loss;
    const smoothed = avg / (1 - SMOOTHING ** (s + 1));
    points.push({ lr, loss, smoothed });
    if (!Number.isFinite(smoothed) || smoothed > DIVERGE_FACTOR * bestSmoothed) {
      divergedAt = lr;
      break;
    }
    if (smoothed < bestSmoothed) bestSmoothed = smoothed;
    // Lets IPC and timers through (the sweep is synchronous tensor work).
    if (s % 10 === 9) await new Promise<void>((r) => setImmediate(r));
  }
  const finite = points.filter((p) => Number.isFinite(p.smoothed));
  return { points, suggestion: suggestRates(finite, divergedAt) };
}

/** Runs the range test on `model` (fresh weights) with the training examples of `t`. */
export async function lrFind(model: tf.LayersModel, t: DataTable, o: LrFindOptions = {}): Promise<{ points: LrPoint[]; suggestion: LrSuggestion; optimizer: string }> {
  const batch = o.batch ?? BATCH;
  const inShape = (model.inputs[0]!.shape as number[]).slice(1);
  const per = inShape.reduce((a, b) => a * b, 1);
  const k = t.classNames.length;
  const train: number[] = [];
  for (let i = 0; i < t.y.length; i++) if (t.split[i] === TRAIN) train.push(i);
  const rng = createRng(o.seed ?? 1);
  let order = permutation(train.length, rng);
  let at = 0;
  const units = (model.outputs[0]!.shape as number[]).at(-1)!;
  const act = (model.layers.at(-1)!.getConfig() as { activation?: string }).activation ?? 'linear';
  const lossFn = (y: tf.Tensor, p: tf.Tensor): tf.Scalar =>
    o.loss === 'mse' ? (tf.losses.meanSquaredError(y, p) as tf.Scalar) : act === 'softmax' ? (tf.metrics.categoricalCrossentropy(y, p).mean() as tf.Scalar) : (tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar);
  const optimizerName = o.optimizer ?? 'adam';
  const { optimizer: opt, setRate } = rateOptimizer(optimizerName);
  try {
    const r = await sweepRates((lr) => {
      setRate(lr);
      const idx: number[] = [];
      for (let b = 0; b < batch; b++) {
        if (at >= order.length) {
          order = permutation(train.length, rng);
          at = 0;
        }
        idx.push(train[order[at++]!]!);
      }
      const xs = new Float32Array(idx.length * per);
      idx.forEach((i, r) => xs.set(t.x.subarray(i * per, (i + 1) * per), r * per));
      const x = tf.tensor(xs, [idx.length, ...inShape]);
      const y = o.loss === 'mse' && units !== k ? tf.tensor2d(idx.map((i) => t.y[i]!), [idx.length, 1]) : tf.oneHot(tf.tensor1d(idx.map((i) => t.y[i]!), 'int32'), k).toFloat();
      const cost = opt.minimize(() => lossFn(y, model.apply(x, { training: true }) as tf.Tensor), true)!;
      const loss = cost.dataSync()[0]!;
      tf.dispose([x, y, cost]);
      return loss;
    }, o.steps ?? STEPS);
    return { ...r, optimizer: optimizerName };
  } finally {
    opt.dispose();
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1).replace('e-', 'e−');
  return Number(v.toPrecision(2)).toString();
}
