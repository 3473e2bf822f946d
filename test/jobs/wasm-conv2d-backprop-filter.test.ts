import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { uniformFloats32 } from '../support/seeded-rng.ts';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConv2dBackpropFilter } from '../../src/jobs/wasm-conv2d-backprop-filter.ts';

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { x: [2, 5, 5, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 6, 2], f: [3, 3, 2, 5], stride: 1, pad: 'valid' },
  { x: [3, 9, 8, 4], f: [3, 2, 4, 3], stride: 2, pad: 'same' },
  { x: [1, 10, 11, 1], f: [5, 5, 1, 2], stride: [2, 3], pad: 'valid' },
  { x: [4, 28, 28, 1], f: [3, 3, 1, 8], stride: 1, pad: 'same' },
];

/** Gradients of sum(conv2d(x, f) ⊙ w) w.r.t. x and f on the active backend; w makes dy non-uniform. */
function conv2dGrads(c: Case, fused: boolean): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(uniformFloats32(c.x.reduce((a, b) => a * b), 1), c.x);
    const f = tf.tensor4d(uniformFloats32(c.f.reduce((a, b) => a * b), 2), c.f);
    const bias = tf.tensor1d(uniformFloats32(c.f[3], 3));
    const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
      fused ? tf.fused.conv2d({ x: xx, filter: ff, strides: c.stride, pad: c.pad, bias }) : tf.conv2d(xx, ff, c.stride, c.pad);
    const outShape = conv(x, f).shape;
    const w = tf.tensor(uniformFloats32(outShape.reduce((a, b) => a * b), 4), outShape);
    const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(conv(xx as tf.Tensor4D, ff as tf.Tensor4D), w)));
    const [dx, df] = g([x, f]);
    return { dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array };
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(async () => {
    registerWasmConv2dBackpropFilter();
  });

  it('is registered for wasm alongside the cpu reference', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
  });

  for (const fused of [false, true]) {
    for (const c of cases) {
      it(`${fused ? 'fused ' : ''}x${c.x.join('×')} f${c.f.join('×')} stride ${String(c.stride)} ${c.pad} matches the cpu reference`, async () => {
        await tf.setBackend('cpu');
        const ref = conv2dGrads(c, fused);
        await tf.setBackend('wasm');
        const got = conv2dGrads(c, fused);
        expect(got.df.length).toBe(ref.df.length);
        expect(maxRelErr(got.df, ref.df)).toBeLessThan(1e-5);
        expect(maxRelErr(got.dx, ref.dx)).toBeLessThan(1e-5);
      });
    }
  }

  it('matches a finite-difference estimate of one filter entry', async () => {
    await tf.setBackend('wasm');
    const c = cases[2]!;
    const { df } = conv2dGrads(c, false);
    const lossAt = (delta: number, index: number) =>
      tf.tidy(() => {
        const fv = uniformFloats32(c.f.reduce((a, b) => a * b), 2);
        fv[index]! += delta;
        const x = tf.tensor4d(uniformFloats32(c.x.reduce((a, b) => a * b), 1), c.x);
        const y = tf.conv2d(x, tf.tensor4d(fv, c.f), c.stride, c.pad);
        const w = tf.tensor(uniformFloats32(y.size, 4), y.shape);
        return tf.sum(tf.mul(y, w)).dataSync()[0]!;
      });
    for (const index of [0, 7, 35]) {
      const h = 1e-2;
      const numeric = (lossAt(h, index) - lossAt(-h, index)) / (2 * h);
      expect(df[index]!).toBeCloseTo(numeric, 2);
    }
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    conv2dGrads(cases[0]!, true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('stride-1 input gradient through the flipped filter', () => {
  it('applies to stride 1 (same and valid) and matches conv2dTranspose; declines stride 2', async () => {
    const { conv2dInputGradFlipped } = await import('../../src/jobs/wasm-conv2d-backprop-filter.ts');
    await tf.setBackend('cpu');
    for (const pad of ['same', 'valid'] as const) {
      tf.tidy(() => {
        const inputShape: [number, number, number, number] = [2, 7, 6, 3];
        const f = tf.tensor4d(uniformFloats32(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]);
        const outH = pad === 'same' ? 7 : 5;
        const outW = pad === 'same' ? 6 : 4;
        const dy = tf.tensor4d(uniformFloats32(2 * outH * outW * 4, 6), [2, outH, outW, 4]);
        const got = conv2dInputGradFlipped(dy, f, { strides: 1, pad, dataFormat: 'NHWC', inputShape })!;
        const ref = tf.conv2dTranspose(dy, f, inputShape, 1, pad);
        expect(maxRelErr(got.dataSync() as Float32Array, ref.dataSync() as Float32Array)).toBeLessThan(1e-5);
      });
    }
    tf.tidy(() => {
      const f = tf.zeros([3, 3, 1, 1]) as tf.Tensor4D;
      expect(conv2dInputGradFlipped(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, f, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 8, 8, 1] })).toBeNull();
    });
  });
});
