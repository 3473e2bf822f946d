/**
 * One training step of a network as one TensorFlow graph: forward to the logits, softmax cross-entropy, the
 * backward pass written out op by op (each layer's gradient is TensorFlow's own gradient kernel), and the
 * optimizer update. The graph is stateless: weights and optimizer state go in and their new values come out, so
 * the caller keeps them (in the tfjs model's variables).
 *
 * Signature (key "train_step"):
 *   inputs   x [b, ...inputShape], y [b, K] one-hot, w<i> each variable, s<i>_<j> each optimizer slot,
 *            m<k> each batch norm's moving mean and variance (movingStatsOf),
 *            and for Adam step_size and eps_hat (scalars, the bias corrections folded in: see flat-adam.ts)
 *   outputs  nw<i>, ns<i>_<j>, nm<k> the updated variables, slots and moving statistics, and
 *            stats [1 + L + b + 1] = loss (with the L2 term), the squared gradient norm of each of the L weighted
 *            layers, the predicted class of each example, and the mean update-to-weight ratio ‖Δw‖/‖w‖.
 */
import { attr, GraphBuilder, type TensorRef } from './graph-builder.ts';
import { movingStatsOf, slotCount, variablesOf, type LayerSpec, type NetworkSpec } from './network-spec.ts';

export const SIGNATURE_KEY = 'train_step';
export const TAGS = ['serve'];

interface Saved {
  layer: LayerSpec;
  /** The layer's input and output in the forward pass. */
  input: TensorRef;
  output: TensorRef;
  /** Its variables' refs (kernel, bias; γ, β) for weighted layers; the dropout mask. */
  vars: TensorRef[];
  mask?: TensorRef;
  /** Batch norm: the reduced axes, 1/√(σ² + ε) and the normalised input. */
  norm?: { axes: TensorRef; inv: TensorRef; xhat: TensorRef };
}

const nhwc = (a: [number, number]) => [1, a[0], a[1], 1];

export function buildTrainStepGraph(spec: NetworkSpec): GraphBuilder {
  const g = new GraphBuilder();
  const x = g.placeholder('x', 'float', [-1, ...spec.inputShape]);
  const y = g.placeholder('y', 'float', [-1, spec.classes]);
  const groups = variablesOf(spec);
  const flatVars = groups.flat();
  const w = flatVars.map((v, i) => g.placeholder(`w${i}`, 'float', v.shape));
  const slots = flatVars.map((v, i) => Array.from({ length: slotCount(spec.optimizer) }, (_, j) => g.placeholder(`s${i}_${j}`, 'float', v.shape)));
  const moving = movingStatsOf(spec).map((m, k) => g.placeholder(`m${k}`, 'float', m.shape));
  const newMoving: TensorRef[] = [];

  // Forward.
  const saved: Saved[] = [];
  let h = x;
  let rank = spec.inputShape.length + 1;
  let vi = 0;
  for (const layer of spec.layers) {
    const input = h;
    let vars: TensorRef[] = [];
    let mask: TensorRef | undefined;
    let norm: Saved['norm'];
    switch (layer.kind) {
      case 'conv2d': {
        vars = [w[vi++]!, ...(layer.useBias ? [w[vi++]!] : [])];
        h = g.f32('Conv2D', [h, vars[0]!], convAttrs(layer), layer.name);
        if (layer.useBias) h = g.f32('BiasAdd', [h, vars[1]!], { data_format: attr.s('NHWC') });
        break;
      }
      case 'dense': {
        vars = [w[vi++]!, ...(layer.useBias ? [w[vi++]!] : [])];
        h = g.f32('MatMul', [h, vars[0]!], { transpose_a: attr.b(false), transpose_b: attr.b(false) }, layer.name);
        if (layer.useBias) h = g.f32('BiasAdd', [h, vars[1]!], { data_format: attr.s('NHWC') });
        break;
      }
      case 'activation':
        h = activationForward(g, layer, h);
        break;
      case 'pool':
        h = g.f32(layer.fn === 'max' ? 'MaxPool' : 'AvgPool', [h], poolAttrs(layer), layer.name);
        break;
      case 'flatten':
        h = g.reshape(h, g.constI32([-1, layer.size]));
        rank = 2;
        break;
      case 'batchnorm': {
        vars = [w[vi++]!, w[vi++]!];
        const axes = g.constI32(Array.from({ length: rank - 1 }, (_, i) => i));
        const mean = g.f32('Mean', [h, axes], { Tidx: attr.type('int32'), keep_dims: attr.b(true) }, `${layer.name}_mean`);
        const centred = g.sub(h, mean);
        const variance = g.f32('Mean', [g.square(centred), axes], { Tidx: attr.type('int32'), keep_dims: attr.b(true) }, `${layer.name}_variance`);
        const inv = g.f32('Rsqrt', [g.add(variance, g.constF32(layer.epsilon))]);
        const xhat = g.mul(centred, inv);
        h = g.add(g.mul(xhat, vars[0]!), vars[1]!);
        norm = { axes, inv, xhat };
        // moving ← moving - (moving - batch)·(1 - momentum), for the mean and the (biased) variance.
        const k = newMoving.length;
        const decay = g.constF32(1 - layer.momentum);
        const flat = g.constI32([layer.channels]);
        [mean, variance].forEach((stat, j) => newMoving.push(g.sub(moving[k + j]!, g.mul(g.sub(moving[k + j]!, g.reshape(stat, flat)), decay))));
        break;
      }
      case 'dropout': {
        // Keep each unit with probability 1 - rate and scale the kept ones by 1/(1 - rate), as tf.dropout does.
        // RandomUniform is stateful: each run of the graph draws new numbers, from a sequence fixed by the seed.
        const u = g.op('RandomUniform', [g.shapeOf(h)], { T: attr.type('int32'), dtype: attr.type('float'), seed: attr.i(layer.seed), seed2: attr.i(layer.seed + 1) }, layer.name);
        const keep = g.cast(g.op('GreaterEqual', [u, g.constF32(layer.rate)], { T: attr.type('float') }), 'bool', 'float');
        mask = g.mul(keep, g.constF32(1 / (1 - layer.rate)));
        h = g.mul(h, mask);
        break;
      }
    }
    saved.push({ layer, input, output: h, vars, ...(mask ? { mask } : {}), ...(norm ? { norm } : {}) });
  }
  const logits = h;

  // Loss: mean softmax cross-entropy; its gradient with respect to the logits is (softmax - y) / b.
  const ce = g.f32('SoftmaxCrossEntropyWithLogits', [logits, y]);
  const batch = g.cast(g.op('Size', [`${ce}:0`], { T: attr.type('float'), out_type: attr.type('int32') }), 'int32', 'float');
  let loss = g.div(g.sumAll(`${ce}:0`, 1), batch);
  let dy = g.div(`${ce}:1`, batch);
  const l2 = spec.l2 > 0 ? g.constF32(spec.l2) : null;
  if (l2) {
    const kernelSq = flatVars.flatMap((v, i) => (v.isKernel ? [g.sumAll(g.square(w[i]!), v.shape.length)] : []));
    loss = g.add(loss, g.mul(l2, g.op('AddN', kernelSq, { N: attr.i(kernelSq.length), T: attr.type('float') })));
  }

  // Backward, layer by layer; the input gradient is skipped below the first weighted layer.
  const grads: TensorRef[] = new Array(flatVars.length);
  const firstWeighted = saved.findIndex((s) => s.vars.length > 0);
  let gi = flatVars.length;
  for (let k = saved.length - 1; k >= firstWeighted; k--) {
    const { layer, input, output, vars, mask } = saved[k]!;
    const needInputGrad = k > firstWeighted;
    switch (layer.kind) {
      case 'conv2d':
      case 'dense': {
        gi -= vars.length;
        const kernelGrad =
          layer.kind === 'conv2d'
            ? g.f32('Conv2DBackpropFilter', [input, g.constI32(layer.kernelShape), dy], convAttrs(layer))
            : g.f32('MatMul', [input, dy], { transpose_a: attr.b(true), transpose_b: attr.b(false) });
        grads[gi] = l2 ? g.add(kernelGrad, g.mul(g.constF32(2 * spec.l2), vars[0]!)) : kernelGrad;
        if (layer.useBias) grads[gi + 1] = g.f32('BiasAddGrad', [dy], { data_format: attr.s('NHWC') });
        if (needInputGrad) {
          dy =
            layer.kind === 'conv2d'
              ? g.f32('Conv2DBackpropInput', [g.shapeOf(input), vars[0]!, dy], convAttrs(layer))
              : g.f32('MatMul', [dy, vars[0]!], { transpose_a: attr.b(false), transpose_b: attr.b(true) });
        }
        break;
      }
      case 'activation':
        dy = activationBackward(g, layer, output, dy);
        break;
      case 'pool':
        dy =
          layer.fn === 'max'
            ? g.f32('MaxPoolGrad', [input, output, dy], poolAttrs(layer))
            : g.f32('AvgPoolGrad', [g.shapeOf(input), dy], poolAttrs(layer));
        break;
      case 'flatten':
        dy = g.reshape(dy, g.shapeOf(input));
        break;
      case 'dropout':
        dy = g.mul(dy, mask!);
        break;
      case 'batchnorm': {
        const { axes, inv, xhat } = saved[k]!.norm!;
        const sum = (t: TensorRef) => g.f32('Sum', [t, axes], { Tidx: attr.type('int32'), keep_dims: attr.b(false) });
        const mean = (t: TensorRef) => g.f32('Mean', [t, axes], { Tidx: attr.type('int32'), keep_dims: attr.b(true) });
        gi -= 2;
        grads[gi] = sum(g.mul(dy, xhat));
        grads[gi + 1] = sum(dy);
        if (needInputGrad) {
          // dx = (dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂)) / √(σ² + ε), with dx̂ = dy·γ and means over the normalised axes.
          const dxhat = g.mul(dy, vars[0]!);
          dy = g.mul(inv, g.sub(g.sub(dxhat, mean(dxhat)), g.mul(xhat, mean(g.mul(dxhat, xhat)))));
        }
        break;
      }
    }
  }

  // Update, and the step's statistics.
  const updated = flatVars.map((_, i) => update(g, spec, w[i]!, grads[i]!, slots[i]!));
  updated.forEach((u, i) => {
    g.output(`nw${i}`, g.op('Identity', [u.value], { T: attr.type('float') }, `nw${i}`), 'float', flatVars[i]!.shape);
    u.slots.forEach((s, j) => g.output(`ns${i}_${j}`, g.op('Identity', [s], { T: attr.type('float') }, `ns${i}_${j}`), 'float', flatVars[i]!.shape));
  });
  newMoving.forEach((m, k) => g.output(`nm${k}`, g.op('Identity', [m], { T: attr.type('float') }, `nm${k}`), 'float', [movingStatsOf(spec)[k]!.shape[0]!]));
  const rankOf = (i: number) => flatVars[i]!.shape.length;
  let offset = 0;
  const layerSq = groups.map((group) => {
    const parts = group.map((_, j) => g.sumAll(g.square(grads[offset + j]!), rankOf(offset + j)));
    offset += group.length;
    return parts.length === 1 ? parts[0]! : g.op('AddN', parts, { N: attr.i(parts.length), T: attr.type('float') });
  });
  const eps = g.constF32(1e-12);
  const ratios = updated.map((u, i) => g.div(g.sqrt(g.sumAll(g.square(g.sub(u.value, w[i]!)), rankOf(i))), g.add(g.sqrt(g.sumAll(g.square(w[i]!), rankOf(i))), eps)));
  const meanRatio = g.div(g.op('AddN', ratios, { N: attr.i(ratios.length), T: attr.type('float') }), g.constF32(ratios.length));
  const predicted = g.cast(g.op('ArgMax', [logits, g.constI32(1)], { T: attr.type('float'), Tidx: attr.type('int32'), output_type: attr.type('int32') }), 'int32', 'float');
  const stats = g.concat([g.reshape(loss, g.constI32([1])), g.pack(layerSq), predicted, g.reshape(meanRatio, g.constI32([1]))], 0);
  g.output('stats', g.op('Identity', [stats], { T: attr.type('float') }, 'stats'), 'float', [-1]);
  return g;
}

function convAttrs(l: Extract<LayerSpec, { kind: 'conv2d' }>) {
  return {
    strides: attr.ints(nhwc(l.strides)),
    padding: attr.s(l.padding.toUpperCase()),
    data_format: attr.s('NHWC'),
    dilations: attr.ints(nhwc(l.dilations)),
    use_cudnn_on_gpu: attr.b(true),
    explicit_paddings: attr.ints([]),
  };
}

function poolAttrs(l: Extract<LayerSpec, { kind: 'pool' }>) {
  return { ksize: attr.ints(nhwc(l.size)), strides: attr.ints(nhwc(l.strides)), padding: attr.s(l.padding.toUpperCase()), data_format: attr.s('NHWC') };
}

function activationForward(g: GraphBuilder, l: Extract<LayerSpec, { kind: 'activation' }>, h: TensorRef): TensorRef {
  switch (l.fn) {
    case 'relu':
      return g.f32('Relu', [h], {}, l.name);
    case 'elu':
      return g.f32('Elu', [h], {}, l.name);
    case 'sigmoid':
      return g.f32('Sigmoid', [h], {}, l.name);
    case 'tanh':
      return g.f32('Tanh', [h], {}, l.name);
    case 'leakyRelu':
      return g.f32('LeakyRelu', [h], { alpha: attr.f(l.alpha) }, l.name);
  }
}

/**
 * TensorFlow's gradient kernels, each given the activation's output: ReLU's and leaky ReLU's (α > 0) output is
 * positive exactly where the input is, and Elu/Sigmoid/TanhGrad are defined on the output. Reading the output, not
 * the input, also leaves TensorFlow free to fuse conv + bias + activation (the input is the BiasAdd it removes).
 */
function activationBackward(g: GraphBuilder, l: Extract<LayerSpec, { kind: 'activation' }>, output: TensorRef, dy: TensorRef): TensorRef {
  switch (l.fn) {
    case 'relu':
      return g.f32('ReluGrad', [dy, output]);
    case 'elu':
      return g.f32('EluGrad', [dy, output]);
    case 'sigmoid':
      return g.f32('SigmoidGrad', [output, dy]);
    case 'tanh':
      return g.f32('TanhGrad', [output, dy]);
    case 'leakyRelu':
      return g.f32('LeakyReluGrad', [dy, output], { alpha: attr.f(l.alpha) });
  }
}

/** The optimizer's update of one variable: its new value and new slots (same algebra as tfjs' optimizers). */
function update(g: GraphBuilder, spec: NetworkSpec, wRef: TensorRef, grad: TensorRef, slots: TensorRef[]): { value: TensorRef; slots: TensorRef[] } {
  const o = spec.optimizer;
  switch (o.kind) {
    case 'sgd':
      return { value: g.sub(wRef, g.mul(g.constF32(o.learningRate), grad)), slots: [] };
    case 'momentum': {
      const acc = g.add(g.mul(slots[0]!, g.constF32(o.momentum)), grad);
      return { value: g.sub(wRef, g.mul(g.constF32(o.learningRate), acc)), slots: [acc] };
    }
    case 'rmsprop': {
      const ms = g.add(g.mul(slots[0]!, g.constF32(o.decay)), g.mul(g.square(grad), g.constF32(1 - o.decay)));
      const step = g.div(g.mul(grad, g.constF32(o.learningRate)), g.sqrt(g.add(ms, g.constF32(o.epsilon))));
      return { value: g.sub(wRef, step), slots: [ms] };
    }
    case 'adam': {
      const stepSize = g.inputs.step_size ? 'step_size' : g.placeholder('step_size', 'float', []);
      const epsHat = g.inputs.eps_hat ? 'eps_hat' : g.placeholder('eps_hat', 'float', []);
      const m = g.add(slots[0]!, g.mul(g.sub(grad, slots[0]!), g.constF32(1 - o.beta1)));
      const v = g.add(slots[1]!, g.mul(g.sub(g.square(grad), slots[1]!), g.constF32(1 - o.beta2)));
      const step = g.div(g.mul(m, stepSize), g.add(g.sqrt(v), epsHat));
      return { value: g.sub(wRef, step), slots: [m, v] };
    }
  }
}
