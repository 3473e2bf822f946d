import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src/jobs/build-model.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';

describe('buildModel: the first convolution skips its unused input gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the same outputs and weight gradients as tfjs-layers’ own (fused) Conv2D', () => {
    const config = resolveJobConfig('seed-cnn', { batchSize: 4 });
    const ours = buildModel(config, [12, 12, 1], 10).model;
    const stock = buildModel(config, [12, 12, 1], 10).model;
    // The prototype's call is tfjs-layers' fused convolution.
    delete (stock.layers[0] as unknown as { call?: unknown }).call;
    stock.setWeights(ours.getWeights());
    const x = tf.randomUniform([4, 12, 12, 1], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10).toFloat();
    const run = (m: tf.LayersModel) => {
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.metrics.categoricalCrossentropy(y, m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      return { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync()) };
    };
    const a = run(ours);
    const b = run(stock);
    expect(a.loss).toBeCloseTo(b.loss, 6);
    expect(a.grads).toHaveLength(6);
    a.grads.forEach((g, i) => {
      let worst = 0;
      for (let k = 0; k < g.length; k++) worst = Math.max(worst, Math.abs(g[k]! - b.grads[i]![k]!));
      expect(worst).toBeLessThan(1e-5);
    });
    // And it did run a different path: the patched layer owns its call.
    expect(Object.prototype.hasOwnProperty.call(ours.layers[0], 'call')).toBe(true);
  });
});

describe('buildModel: dropout', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const masks = (steps: number) => {
    const config = resolveJobConfig('iris-mlp', { dropout: 0.5, seed: 11 });
    const { model } = buildModel(config, [4], 3);
    const dropout = model.layers.find((l) => l.getClassName() === 'Dropout')!;
    const x = tf.ones([1, 64]);
    const out = Array.from({ length: steps }, () => Array.from((dropout.apply(x, { training: true }) as tf.Tensor).dataSync()).map((v) => (v > 0 ? 1 : 0)).join(''));
    const inference = Array.from((dropout.apply(x, { training: false }) as tf.Tensor).dataSync());
    return { out, inference };
  };

  it('drops different units on each training step, in the same sequence for the same seed, and none at inference', () => {
    const a = masks(3);
    expect(new Set(a.out).size).toBe(3);
    for (const m of a.out) expect(m.split('').filter((c) => c === '0').length).toBeGreaterThan(16);
    expect(masks(3).out).toEqual(a.out);
    expect(a.inference.every((v) => v === 1)).toBe(true);
  });
});
