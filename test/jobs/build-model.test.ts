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
