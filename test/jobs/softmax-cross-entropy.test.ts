import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadBackend, nativeBackendInstalled } from '../../src/jobs/backend.ts';
import { softmaxCrossEntropy } from '../../src/jobs/softmax-cross-entropy.ts';

function lossAndGrad(): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    // Moderate and extreme logits: the fused op must stay finite where softmax underflows.
    const logits = tf.tensor2d([[1, 2, 3, -1], [0.5, -0.5, 0, 0], [80, -80, 0, 1]]);
    const labels = tf.tensor2d([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
    const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(labels, tf.mul(logits, v)) as tf.Scalar, [v]);
    return { loss: value.dataSync()[0]!, grad: grads[v.name]!.dataSync() as Float32Array };
  });
}
const v = tf.variable(tf.scalar(1), true, 'scale');

describe('softmaxCrossEntropy', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the mean cross-entropy of softmax(logits) on the cpu backend (tfjs reference)', async () => {
    await loadBackend(['cpu']);
    const { loss } = lossAndGrad();
    const rows = [[1, 2, 3, -1, 2], [0.5, -0.5, 0, 0, 0], [80, -80, 0, 1, 1]];
    const expected = rows.map(([a, b, c, d, k]) => {
      const z = [a!, b!, c!, d!];
      const m = Math.max(...z);
      return m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0)) - z[k!]!;
    });
    expect(loss).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 3, 4);
  });

  it.skipIf(!nativeBackendInstalled())('natively gives the same loss and gradient as tfjs', async () => {
    await loadBackend(['cpu']);
    const ref = lossAndGrad();
    await loadBackend(['tensorflow']);
    const got = lossAndGrad();
    expect(Number.isFinite(got.loss)).toBe(true);
    expect(got.loss).toBeCloseTo(ref.loss, 4);
    expect(got.grad[0]!).toBeCloseTo(ref.grad[0]!, 4);
    expect(Math.abs(got.grad[0]!)).toBeGreaterThan(1);
  });
});
