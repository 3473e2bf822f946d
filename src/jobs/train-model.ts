/**
 * The training loop of a job, written out (not model.fit) so every batch can be measured: step loss, per-layer
 * gradient norms, update/weight ratio, a fixed probe batch for dead and saturated units, early stopping that
 * really restores the best weights. Runs on whichever backend is active (see backend.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Series } from '../domain/run.ts';
import type { DiagnoseContext, Instrumentation } from '../domain/context.ts';
import type { Dataset } from './dataset.ts';
import { datasetSize } from './dataset.ts';
import { isCustomJob, type JobConfig } from './job-config.ts';
import type { PreparedData } from './prepare-data.ts';
import { buildModel, summariseModel, type BuiltModel } from './build-model.ts';
import { computeDatasetStats } from '../data/dataset-stats.ts';
import { createRng, permutation } from './rng.ts';
import { FlatAdam } from './flat-adam.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';
import { createGraphStep, networkSpecOf, type GraphStep } from './graph-step/graph-step.ts';
import { optimizerSpec } from './graph-step/network-spec.ts';
import { batchTensors, disposeBatch, type Batch } from './job-batches.ts';
import { batchLoss } from './model-io.ts';

export interface EpochReport {
  /** 1-based. */
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  lr: number;
  /** Wall seconds of this epoch's training (without validation). */
  seconds: number;
  samplesPerSecond: number;
}

export interface BatchReport {
  epoch: number;
  /** 1-based batch within the epoch, and the epoch's batch count. */
  batch: number;
  batches: number;
  loss: number;
}

export interface TrainHooks {
  onEpoch?: (report: EpochReport) => void;
  /** Called at most every `batchReportMs` (default 250 ms), for progress bars. */
  onBatch?: (report: BatchReport) => void;
  batchReportMs?: number;
  /** Checked between batches; true ends training after the current batch. */
  shouldStop?: () => boolean;
  /** Wall clock in ms (injected so tests can pin it); defaults to performance.now. */
  now?: () => number;
}

export interface TrainResult {
  series: Series[];
  context: DiagnoseContext;
  notes: string[];
  meta: {
    backend: string;
    /** 'graph': each step ran as one TensorFlow graph (tfjs-node); 'eager': op by op through tfjs. */
    stepMode: 'graph' | 'eager';
    epochsRun: number;
    stoppedEarly: boolean;
    bestEpoch: number | null;
    cancelled: boolean;
    initialLoss: number;
    lnK: number;
    trainSize: number;
    valSize: number;
    samplesPerSecond: number;
    finalValAccuracy: number | null;
  };
}

const PROBE_SIZE = 256;
const EVAL_BATCH = 512;
/** A sigmoid/tanh unit output this close to its asymptote has a vanishing local gradient. */
const SATURATION_MARGIN = 0.01;

/** Adam is FlatAdam (the same update as tf.train.adam in a quarter of the ops); the others are tfjs'. */
function makeOptimizer(config: JobConfig, vars: tf.Variable[]): FlatAdam | tf.Optimizer {
  const o = optimizerSpec(config);
  switch (o.kind) {
    case 'adam':
      return new FlatAdam(vars, config.learningRate, o.beta1, o.beta2, o.epsilon);
    case 'sgd':
      return tf.train.sgd(o.learningRate);
    case 'momentum':
      return tf.train.momentum(o.learningRate, o.momentum);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.decay, 0, o.epsilon);
  }
}

/**
 * Per-image random flip, rotation and zoom about the image centre with bilinear sampling, done on the batch's
 * pixels in JS so it works on every backend (tfjs-node has no Transform kernel).
 * xs: b × h × w × c, row-major; returns a new array of the same shape.
 */
export function augmentImages(xs: Float32Array, shape: [number, number, number, number], aug: NonNullable<JobConfig['augment']>, rng: ReturnType<typeof createRng>): Float32Array {
  const [b, h, w, ch] = shape;
  const out = new Float32Array(xs.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let i = 0; i < b; i++) {
    const th = (2 * rng.next() - 1) * aug.rotation;
    const s = 1 + (2 * rng.next() - 1) * aug.zoom;
    const fx = aug.flip && rng.next() < 0.5 ? -1 : 1;
    // Output pixel → input pixel: undo zoom, rotate back, mirror.
    const c = Math.cos(th) / s;
    const sn = Math.sin(th) / s;
    const base = i * h * w * ch;
    for (let yo = 0; yo < h; yo++) {
      for (let xo = 0; xo < w; xo++) {
        const dx = xo - cx;
        const dy = yo - cy;
        const xi = fx * (c * dx + sn * dy) + cx;
        const yi = -sn * dx + c * dy + cy;
        const x0 = Math.floor(xi);
        const y0 = Math.floor(yi);
        const ax = xi - x0;
        const ay = yi - y0;
        for (let k = 0; k < ch; k++) {
          const px = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? xs[base + (yy * w + xx) * ch + k]! : 0);
          out[base + (yo * w + xo) * ch + k] =
            (1 - ay) * ((1 - ax) * px(y0, x0) + ax * px(y0, x0 + 1)) + ay * ((1 - ax) * px(y0 + 1, x0) + ax * px(y0 + 1, x0 + 1));
        }
      }
    }
  }
  return out;
}

function lossOf(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  // tfjs' categorical cross-entropy rescales rows to sum 1 and clips: the same (mis)behaviour as Keras when given logits.
  return tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar;
}

/**
 * Loss and accuracy over a dataset, in batches, with training=false (dropout off, batch-norm moving stats). With
 * `countContradicted`, also a confident-learning style count: examples to which the model gives another class more
 * than twice the probability of their label (with label noise it grows with the noise). A model with several outputs
 * is scored as it trains (model-io.ts): the loss is the weighted sum of its heads' (each in `heads`), the accuracy
 * and predictions its classifier's.
 */
function evaluate(built: BuiltModel, ds: Dataset, countContradicted = false): { loss: number; accuracy: number; predictions: Int32Array; contradicted: number; heads: number[] | null } {
  const n = datasetSize(ds);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const io = built.io;
  let lossSum = 0;
  let correct = 0;
  let contradicted = 0;
  const headSums = io ? new Float64Array(io.heads.length) : null;
  const predictions = new Int32Array(n);
  for (let from = 0; from < n; from += EVAL_BATCH) {
    const to = Math.min(n, from + EVAL_BATCH);
    const batch = batchTensors(ds, idx, from, to, undefined, io);
    const { y } = batch;
    const b = to - from;
    const [l, pred, flags, parts] = tf.tidy(() => {
      let p: tf.Tensor;
      let sum: tf.Scalar;
      let parts: tf.Tensor | null = null;
      if (io) {
        const raw = built.logits!.predict(batch.x);
        const outs = Array.isArray(raw) ? raw : [raw];
        const scored = batchLoss(io, outs, batch.targets ?? [y]);
        p = tf.softmax(outs[io.main]!);
        sum = tf.mul(scored.total, b) as tf.Scalar;
        parts = tf.stack(scored.parts);
      } else {
        p = built.model.predict(batch.x) as tf.Tensor;
        sum = tf.sum(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar;
      }
      const flagged = countContradicted ? tf.sum(tf.cast(tf.greater(tf.max(p, -1), tf.mul(tf.sum(tf.mul(p, y), -1), 2)), 'int32')) : null;
      return [sum, tf.argMax(p, -1), flagged, parts] as const;
    });
    lossSum += scalarOf(l);
    if (flags) contradicted += scalarOf(flags);
    if (parts && headSums) parts.dataSync().forEach((v, i) => (headSums[i]! += v * b));
    const pv = pred.dataSync() as Int32Array;
    predictions.set(pv, from);
    for (let k = 0; k < pv.length; k++) if (pv[k] === ds.y[from + k]) correct++;
    disposeBatch(batch);
    tf.dispose([l, pred, ...(flags ? [flags] : []), ...(parts ? [parts] : [])]);
  }
  return { loss: lossSum / n, accuracy: correct / n, predictions, contradicted, heads: headSums ? Array.from(headSums, (v) => v / n) : null };
}

function scalarOf(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

/** Lets IPC messages and timers through between batches: the loop itself is synchronous tensor work. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface TrainOptions {
  /** Run every step op by op through tfjs even where the graph step applies (benchmarks and the graph step's tests). */
  eagerOnly?: boolean;
  /** Replaces the graph step's loader (tests: a TensorFlow that refuses the graph). */
  createGraphStep?: typeof createGraphStep;
  /** The network, built by the caller: a custom job's own model (custom/custom-job.ts). Default: the preset's. */
  built?: BuiltModel;
}

export async function trainModel(config: JobConfig, data: PreparedData, backend: string, hooks: TrainHooks = {}, options: TrainOptions = {}): Promise<TrainResult> {
  const now = hooks.now ?? (() => performance.now());
  const { train, val } = data;
  const K = train.classes;
  const nTrain = datasetSize(train);
  if (nTrain === 0) throw new Error('the training split is empty');
  if (isCustomJob(config) && !options.built) throw new Error('a custom job trains its own model: pass it as options.built');
  const built = options.built ?? buildModel(config as Exclude<JobConfig, { preset: 'custom' }>, train.inputShape, K);
  const { model } = built;
  // Softmax outputs train from their logits: softmax and cross-entropy in one stable op (see build-model.ts). A
  // linear output (the loss/activation mismatch fault) keeps tfjs' categorical cross-entropy on raw outputs.
  const trainForward = built.logits ?? model;
  const lossOfBatch: (y: tf.Tensor, out: tf.Tensor) => tf.Scalar = built.logits ? softmaxCrossEntropy : lossOf;
  // A model with several inputs or outputs (model-io.ts): its heads' weighted losses, its classifier's predictions.
  const io = built.io;
  const heads = io && io.heads.length > 1 ? io.heads : null;
  /** Each head's loss on the latest eager batch (several outputs). */
  let headLosses: Float32Array | null = null;
  const rng = createRng(config.seed ^ 0xba7c4);
  const augRng = createRng(config.seed ^ 0xa06);
  const aug = config.augment;
  const augment = aug ? (xs: Float32Array, shape: [number, number, number, number]) => augmentImages(xs, shape, aug, augRng) : undefined;

  // Variables grouped by layer, in layer order: the gradient norms are reported per layer.
  const layerVars: { layer: string; vars: tf.Variable[]; kernels: tf.Variable[] }[] = [];
  for (const l of model.layers) {
    const vars = l.trainableWeights.map((w) => w.read() as tf.Variable);
    if (vars.length === 0) continue;
    const kernels = l.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read() as tf.Variable);
    layerVars.push({ layer: l.name, vars, kernels });
  }
  const allVars = layerVars.flatMap((g) => g.vars);
  const kernelVars = layerVars.flatMap((g) => g.kernels);
  /** Elements per layer in the flat gradient (variables in layer order). */
  const layerSizes = layerVars.map((g) => g.vars.reduce((n, v) => n + v.size, 0));

  // The probe: a fixed slice of training inputs, read through every hidden activation layer once per epoch.
  const probeIdx = Int32Array.from({ length: Math.min(PROBE_SIZE, nTrain) }, (_, i) => i);
  const probe = batchTensors(train, probeIdx, 0, probeIdx.length, undefined, io);
  const probeModel = built.activationLayers.length
    ? tf.model({ inputs: model.inputs, outputs: built.activationLayers.map((a) => a.layer.output as tf.SymbolicTensor) })
    : null;

  // The classifier's loss at initialisation (compared with ln K).
  const initialLoss = tf.tidy(() => {
    if (!io) return lossOf(probe.y, model.predict(probe.x) as tf.Tensor).dataSync()[0]!;
    const raw = trainForward.predict(probe.x);
    return softmaxCrossEntropy(probe.y, (Array.isArray(raw) ? raw : [raw])[io.main]!).dataSync()[0]!;
  });

  const steps: number[] = [];
  const stepEpochs: number[] = [];
  const stepLoss: number[] = [];
  const stepGrad: number[] = [];
  const ep = { idx: [] as number[], loss: [] as number[], acc: [] as number[], valLoss: [] as number[], valAcc: [] as number[], lr: [] as number[], grad: [] as number[] };
  /** A model with several outputs: each head's loss per epoch, training and validation. */
  const epHeads = { loss: (heads ?? []).map(() => [] as number[]), val: (heads ?? []).map(() => [] as number[]) };
  const inst: Required<Pick<Instrumentation, 'gradNorms' | 'updateRatio' | 'deadReluFraction' | 'saturatedFraction'>> = {
    gradNorms: Object.fromEntries(layerVars.map((g) => [g.layer, [] as number[]])),
    updateRatio: [],
    deadReluFraction: {},
    saturatedFraction: {},
  };
  for (const a of built.activationLayers) {
    if (['relu', 'leakyRelu', 'elu'].includes(a.activation)) inst.deadReluFraction[a.layer.name] = [];
    if (['sigmoid', 'tanh'].includes(a.activation)) inst.saturatedFraction[a.layer.name] = [];
  }

  /**
   * One batch through tfjs' tape and optimizer. Returns what the graph step returns: [loss, squared grad norm per
   * layer, predicted class per example, mean update ratio (measured on the last batch only, NaN before)].
   */
  const eagerStep = (batch: Batch, lastBatch: boolean): Float32Array => {
    let predT: tf.Tensor | null = null;
    let partsT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const raw = trainForward.apply(batch.x, { training: true }) as tf.Tensor | tf.Tensor[];
      let loss: tf.Scalar;
      if (io) {
        const outs = Array.isArray(raw) ? raw : [raw];
        predT = tf.keep(tf.argMax(outs[io.main]!, -1));
        const scored = batchLoss(io, outs, batch.targets ?? [batch.y]);
        if (heads) partsT = tf.keep(tf.stack(scored.parts));
        loss = scored.total;
      } else {
        predT = tf.keep(tf.argMax(raw as tf.Tensor, -1));
        loss = lossOfBatch(batch.y, raw as tf.Tensor);
      }
      if (config.l2 > 0) loss = tf.add(loss, tf.mul(config.l2, tf.addN(kernelVars.map((v) => tf.sum(tf.square(v)))))) as tf.Scalar;
      return loss;
    }, allVars);
    if (partsT) {
      headLosses = (partsT as tf.Tensor).dataSync() as Float32Array;
      tf.dispose(partsT);
    }
    // A head without a loss (left out of the model's loss dict) gives its own layers no gradient: zero.
    const flatGrad = tf.tidy(() => tf.concat(allVars.map((v) => tf.reshape(grads[v.name] ?? tf.zerosLike(v), [-1])), 0) as tf.Tensor1D);
    const before = lastBatch ? allVars.map((v) => v.clone()) : null;
    // One read per batch.
    const packed = tf.tidy(() =>
      tf.concat([
        tf.reshape(value, [1]),
        tf.stack(tf.split(tf.square(flatGrad), layerSizes).map((sq) => tf.sum(sq))),
        tf.cast(predT!, 'float32'),
      ]),
    );
    const read = packed.dataSync();
    if (optimizer instanceof FlatAdam) optimizer.step(flatGrad);
    else optimizer!.applyGradients(grads);
    const nums = new Float32Array(read.length + 1);
    nums.set(read);
    nums[read.length] = NaN;
    if (before) {
      nums[read.length] = tf.tidy(() => {
        const ratios = allVars.map((v, i) => tf.div(tf.norm(tf.sub(v, before[i]!)), tf.add(tf.norm(before[i]!), 1e-12)));
        return tf.mean(tf.stack(ratios)).dataSync()[0]!;
      });
      tf.dispose(before);
    }
    tf.dispose([value, predT!, flatGrad, packed, ...Object.values(grads)]);
    disposeBatch(batch);
    return nums;
  };

  const batches = Math.ceil(nTrain / config.batchSize);
  let order: Int32Array = Int32Array.from({ length: nTrain }, (_, i) => i);
  let best = { metric: Infinity, epoch: -1, weights: null as tf.Tensor[] | null };
  let sinceBest = 0;
  let stoppedEarly = false;
  let cancelled = false;
  let epochsRun = 0;
  let totalSeconds = 0;
  let totalSeen = 0;
  let lastValAcc: number | null = null;
  let lastReport = now();

  // On tfjs-node the whole step runs as one TensorFlow graph when the network has only layers it can build (about
  // twice as fast: see graph-step/graph-step.ts); otherwise, and on the other backends, tfjs runs it op by op.
  const graphSpec = backend === 'tensorflow' && !options.eagerOnly ? networkSpecOf(built, config, train.inputShape, K) : null;
  const stepNotes: string[] = [];
  let graphStep: GraphStep | null = null;
  if (graphSpec && !('unsupported' in graphSpec)) {
    try {
      // Batch norm's moving mean and variance, in the order movingStatsOf(spec) lists them.
      const movingStats = model.layers.flatMap((l) => (l.getClassName() === 'BatchNormalization' ? l.nonTrainableWeights.map((w) => w.read() as tf.Variable) : []));
      graphStep = await (options.createGraphStep ?? createGraphStep)(graphSpec, allVars, config.learningRate, Math.min(config.batchSize, nTrain), movingStats);
    } catch (e) {
      // A TensorFlow that refuses the graph (an older libtensorflow, say) still trains, op by op.
      stepNotes.push(`trained op by op: TensorFlow did not load the one-graph training step (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
  }
  const stepMode: TrainResult['meta']['stepMode'] = graphStep ? 'graph' : 'eager';
  // A custom model's layers decide the step: its notes say which one trained it, and why not the graph.
  if (isCustomJob(config) && stepNotes.length === 0) {
    if (graphStep) stepNotes.push('trained as one TensorFlow graph per step (the native backend\'s fast path: every layer of the model has a graph form)');
    else if (backend !== 'tensorflow') stepNotes.push(`trained op by op through TensorFlow.js: the one-graph step needs the native backend, and this job ran on ${backend}`);
    else if (graphSpec && 'unsupported' in graphSpec) stepNotes.push(`trained op by op through TensorFlow.js: the one-graph step does not build ${graphSpec.unsupported}`);
    else stepNotes.push('trained op by op through TensorFlow.js, as asked');
  }
  const optimizer = graphStep ? null : makeOptimizer(config, allVars);
  // From here on everything made above is released in the finally below, whatever throws.
  try {
    for (let e = 0; e < config.epochs && !cancelled; e++) {
      if (data.shuffle) order = permutation(nTrain, rng);
      const t0 = now();
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      const gradSums = new Float64Array(layerVars.length);
      const headSums = heads ? new Float64Array(heads.length) : null;
      let updateRatio = NaN;
      for (let bI = 0; bI < batches; bI++) {
        const from = bI * config.batchSize;
        const to = Math.min(nTrain, from + config.batchSize);
        const batch = batchTensors(train, order, from, to, augment, io);
        const lastBatch = bI === batches - 1;
        const nums = graphStep ? graphStep.step(batch.x as tf.Tensor, batch.y) : eagerStep(batch, lastBatch);
        if (graphStep) disposeBatch(batch);
        if (lastBatch) updateRatio = nums[nums.length - 1]!;
        const b = to - from;
        const loss = nums[0]!;
        const L = layerVars.length;
        let correct = 0;
        for (let k = 0; k < b; k++) if (nums[1 + L + k] === batch.labels[k]) correct++;
        lossSum += loss * b;
        if (headSums && headLosses) headLosses.forEach((h, i) => (headSums[i]! += h * b));
        accSum += correct;
        seen += b;
        let global = 0;
        for (let g = 0; g < L; g++) {
          gradSums[g] += Math.sqrt(nums[1 + g]!);
          global += nums[1 + g]!;
        }
        const step = e * batches + bI + 1;
        steps.push(step);
        stepEpochs.push(e + (bI + 1) / batches);
        stepLoss.push(loss);
        stepGrad.push(Math.sqrt(global));
        if (now() - lastReport >= (hooks.batchReportMs ?? 250)) {
          lastReport = now();
          hooks.onBatch?.({ epoch: e + 1, batch: bI + 1, batches, loss });
          await tick();
        }
        if (hooks.shouldStop?.()) {
          cancelled = true;
          break;
        }
      }
      const seconds = (now() - t0) / 1000;
      totalSeconds += seconds;
      totalSeen += seen;
      epochsRun = e + 1;
      const trainLoss = lossSum / Math.max(1, seen);
      const trainAcc = accSum / Math.max(1, seen);
      const v = val ? evaluate(built, val) : null;
      lastValAcc = v ? v.accuracy : null;
      ep.idx.push(e + 1);
      ep.loss.push(trainLoss);
      ep.acc.push(trainAcc);
      ep.valLoss.push(v ? v.loss : NaN);
      ep.valAcc.push(v ? v.accuracy : NaN);
      ep.lr.push(config.learningRate);
      layerVars.forEach((g, i) => inst.gradNorms[g.layer]!.push(gradSums[i]! / batches));
      ep.grad.push(Math.sqrt(layerVars.reduce((s, _, i) => s + (gradSums[i]! / batches) ** 2, 0)));
      inst.updateRatio.push(updateRatio);
      if (probeModel) probeUnits(probeModel, probe.x, built.activationLayers, inst);
      if (heads) {
        heads.forEach((_, i) => {
          epHeads.loss[i]!.push(headSums![i]! / Math.max(1, seen));
          epHeads.val[i]!.push(v?.heads ? v.heads[i]! : NaN);
        });
      }
      hooks.onEpoch?.({
        epoch: e + 1,
        epochs: config.epochs,
        loss: trainLoss,
        accuracy: trainAcc,
        valLoss: v ? v.loss : null,
        valAccuracy: v ? v.accuracy : null,
        lr: config.learningRate,
        seconds,
        samplesPerSecond: seen / Math.max(seconds, 1e-9),
      });
      await tick();
      if (config.earlyStopping && !cancelled) {
        const metric = v ? v.loss : trainLoss;
        if (metric < best.metric) {
          tf.dispose(best.weights ?? []);
          best = { metric, epoch: e + 1, weights: config.earlyStopping.restoreBestWeights ? model.getWeights().map((w) => tf.keep(w.clone())) : null };
          sinceBest = 0;
        } else if (++sinceBest >= config.earlyStopping.patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
    const notes = [...data.notes, ...stepNotes];
    if (stoppedEarly) notes.push(`early stopping after epoch ${epochsRun}: no improvement for ${config.earlyStopping!.patience} epochs since epoch ${best.epoch}`);
    if (best.weights && config.earlyStopping?.restoreBestWeights && best.epoch !== epochsRun) {
      model.setWeights(best.weights);
      notes.push(`restored the weights of epoch ${best.epoch}`);
    }
    if (cancelled) notes.push(`cancelled during epoch ${epochsRun}`);

    // End of training: per-class accuracy and confusion on validation (training data when there is none).
    const evalSet = val ?? train;
    const final = evaluate(built, evalSet, !!val);
    const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    for (let i = 0; i < final.predictions.length; i++) confusion[evalSet.y[i]!]![final.predictions[i]!]!++;
    const perClassAccuracy: Record<string, number> = {};
    confusion.forEach((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      if (total > 0) perClassAccuracy[train.classNames[c] ?? String(c)] = row[c]! / total;
    });
    if (!val) notes.push('per-class accuracy and confusion measured on the training data (no validation split)');

    const dataset = computeDatasetStats(train, val, train.classNames);
    // Disagreeing with a model that learned nothing says nothing about the labels: only a model clearly above
    // chance on held-out (clean) data gets to call labels wrong.
    if (final.accuracy >= Math.max(0.5, 2 / K) && val) {
      // A model that is still learning contradicts some correct labels too, as often as it errs on held-out data:
      // only the flags beyond that rate point at the labels (an undertrained run on clean MNIST flagged 6 %).
      const flagged = evaluate(built, train, true).contradicted;
      const ownErrorRate = final.contradicted / datasetSize(val);
      const explained = Math.round(ownErrorRate * nTrain);
      dataset.likelyLabelErrors = Math.max(0, flagged - explained);
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      notes.push(`label errors: the model contradicts ${flagged} of ${nTrain} training labels (${pct(flagged / nTrain)}) and ${pct(ownErrorRate)} of validation labels; the ${dataset.likelyLabelErrors} beyond its validation rate count as likely label errors`);
    } else notes.push('label errors not estimated: the model is not good enough on validation data to judge labels');

    const series: Series[] = [
      stepSeries('loss', 'train', 'batch_loss', 'lower', steps, stepEpochs, stepLoss),
      stepSeries('grad_norm', 'train', 'grad_norm', 'lower', steps, stepEpochs, stepGrad),
      epochSeries('loss', 'train', 'loss', 'lower', ep.idx, ep.loss),
      epochSeries('accuracy', 'train', 'accuracy', 'higher', ep.idx, ep.acc),
      epochSeries('lr', 'train', 'lr', 'lower', ep.idx, ep.lr),
    ];
    if (val) {
      series.push(epochSeries('loss', 'val', 'val_loss', 'lower', ep.idx, ep.valLoss));
      series.push(epochSeries('accuracy', 'val', 'val_accuracy', 'higher', ep.idx, ep.valAcc));
    }
    // Several outputs: `loss` is their weighted sum, as Keras logs it; beside it each output's own, Keras' names.
    heads?.forEach((h, i) => {
      if (h.loss === 'none') return;
      series.push(epochSeries(`${h.name}_loss`, 'train', `${h.name}_loss`, 'lower', ep.idx, epHeads.loss[i]!));
      if (val) series.push(epochSeries(`${h.name}_loss`, 'val', `val_${h.name}_loss`, 'lower', ep.idx, epHeads.val[i]!));
    });
    const samplesPerSecond = totalSeconds > 0 ? totalSeen / totalSeconds : 0;
    return {
      series,
      notes,
      context: {
        classes: K,
        dataset,
        model: summariseModel(built),
        instrumentation: { ...inst, perClassAccuracy, confusion },
        config: {
          learningRate: config.learningRate,
          batchSize: config.batchSize,
          epochs: config.epochs,
          optimizer: config.optimizer,
          shuffle: data.shuffle,
          earlyStopping: config.earlyStopping !== null,
          validationSplit: val ? config.validationSplit : 0,
        },
      },
      meta: {
        backend,
        stepMode,
        epochsRun,
        stoppedEarly,
        bestEpoch: best.epoch > 0 ? best.epoch : null,
        cancelled,
        initialLoss,
        lnK: Math.log(K),
        trainSize: nTrain,
        valSize: val ? datasetSize(val) : 0,
        samplesPerSecond,
        finalValAccuracy: lastValAcc,
      },
    };
  } finally {
    tf.dispose(best.weights ?? []);
    disposeBatch(probe);
    optimizer?.dispose();
    graphStep?.dispose();
    model.dispose();
  }
}

/** Dead units (never positive on the probe) per ReLU-family layer; saturated outputs per sigmoid/tanh layer. */
function probeUnits(probeModel: tf.LayersModel, x: tf.Tensor | tf.Tensor[], layers: { layer: tf.layers.Layer; activation: string }[], inst: Pick<Instrumentation, 'deadReluFraction' | 'saturatedFraction'>): void {
  const outs = tf.tidy(() => {
    const raw = probeModel.predict(x);
    const list = Array.isArray(raw) ? raw : [raw];
    return list.map((t, i) => {
      const act = layers[i]!.activation;
      const units = t.shape[t.shape.length - 1]!;
      const flat = tf.reshape(t, [-1, units]);
      if (act === 'sigmoid') return tf.mean(tf.cast(tf.logicalOr(tf.less(flat, SATURATION_MARGIN), tf.greater(flat, 1 - SATURATION_MARGIN)), 'float32'));
      if (act === 'tanh') return tf.mean(tf.cast(tf.greater(tf.abs(flat), 1 - SATURATION_MARGIN), 'float32'));
      // A unit (neuron or channel) is dead when no probe example and no position makes it positive.
      return tf.mean(tf.cast(tf.lessEqual(tf.max(flat, 0), 0), 'float32'));
    });
  });
  outs.forEach((t, i) => {
    const { layer, activation } = layers[i]!;
    const v = t.dataSync()[0]!;
    if (activation === 'sigmoid' || activation === 'tanh') inst.saturatedFraction![layer.name]!.push(v);
    else inst.deadReluFraction![layer.name]!.push(v);
  });
  tf.dispose(outs);
}

function stepSeries(key: string, split: Series['split'], name: string, direction: Series['direction'], steps: number[], epochs: number[], values: number[]): Series {
  return { key, split, name, direction, cadence: 'step', steps: Float64Array.from(steps), epochs: Float64Array.from(epochs), wallTimes: null, values: Float64Array.from(values) };
}

function epochSeries(key: string, split: Series['split'], name: string, direction: Series['direction'], epochs: number[], values: number[]): Series {
  return { key, split, name, direction, cadence: 'epoch', steps: Float64Array.from(epochs), epochs: Float64Array.from(epochs), wallTimes: null, values: Float64Array.from(values) };
}
