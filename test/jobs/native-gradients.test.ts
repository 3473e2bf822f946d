import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { uniformFloats32 } from '../support/seeded-rng.ts';
import { loadBackend, nativeBackendInstalled } from '../../src/jobs/backend.ts';

/**
 * Gradients of sum(maxPool(act(x)) ⊙ w) w.r.t. x on the active backend: act is relu (half the inputs are negative,
 * so many windows are all-zero ties, as after a real ReLU layer) or identity (continuous values, no ties).
 */
function grads(shape: [number, number, number, number], relu: boolean, pool: { size: number; stride: number; pad: 'valid' | 'same' }): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(uniformFloats32(shape.reduce((a, b) => a * b), 7), shape);
    const f = (xx: tf.Tensor4D) => tf.maxPool(relu ? tf.relu(xx) : xx, pool.size, pool.stride, pool.pad);
    const w = tf.tensor(uniformFloats32(f(x).size, 9), f(x).shape);
    return tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D), w)))(x).dataSync() as Float32Array;
  });
}

const cases = [
  { shape: [2, 8, 8, 3] as [number, number, number, number], relu: true, pool: { size: 2, stride: 2, pad: 'valid' as const } },
  { shape: [3, 6, 4, 5] as [number, number, number, number], relu: false, pool: { size: 2, stride: 2, pad: 'same' as const } },
  { shape: [2, 7, 7, 2] as [number, number, number, number], relu: true, pool: { size: 2, stride: 2, pad: 'valid' as const } },
  { shape: [2, 9, 9, 2] as [number, number, number, number], relu: true, pool: { size: 3, stride: 2, pad: 'same' as const } },
];

describe.skipIf(!nativeBackendInstalled())('native ReLU gradient before max pooling (tfjs-node)', () => {
  let reference: Float32Array[] = [];
  beforeAll(async () => {
    await loadBackend(['cpu']);
    reference = cases.map((c) => grads(c.shape, c.relu, c.pool));
    const loaded = await loadBackend(['tensorflow']);
    expect(loaded.name).toBe('tensorflow');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(cases.map((c, i) => [i, c] as const))('case %i equals the cpu backend gradient of relu → max pool', (i, c) => {
    const got = grads(c.shape, c.relu, c.pool);
    expect(got.length).toBe(reference[i]!.length);
    let worst = 0;
    for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k]! - reference[i]![k]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives a window tied at a positive maximum (a saturated MNIST stroke) to its first maximum only', () => {
    const dx = tf.tidy(() => {
      const x = tf.tensor4d([1, 1, 0, 1], [1, 2, 2, 1]);
      return tf.grad((xx: tf.Tensor) => tf.sum(tf.maxPool(tf.relu(xx as tf.Tensor4D), 2, 2, 'valid')))(x).dataSync();
    });
    expect(Array.from(dx)).toEqual([1, 0, 0, 0]);
  });
});
