import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FlatAdam } from '../../src/jobs/flat-adam.ts';

describe('FlatAdam', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('follows tf.train.adam step for step on several variables of different shapes', () => {
    const init = [tf.randomNormal([3, 4], 0, 1, 'float32', 1), tf.randomNormal([4], 0, 1, 'float32', 2), tf.randomNormal([2, 2, 3], 0, 1, 'float32', 3)];
    const ours = init.map((t) => tf.variable(t.clone()));
    const ref = init.map((t) => tf.variable(t.clone()));
    const flat = new FlatAdam(ours, 0.01);
    const adam = tf.train.adam(0.01);
    // A loss whose gradients change with the weights and differ in scale between variables.
    const loss = (vs: tf.Variable[]) => tf.addN(vs.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, 0.3 * i)), 10 ** i)))) as tf.Scalar;
    for (let step = 0; step < 25; step++) {
      const { grads } = tf.variableGrads(() => loss(ours), ours);
      const g = flat.flatten(ours.map((v) => grads[v.name]!));
      flat.step(g);
      tf.dispose([g, ...Object.values(grads)]);
      adam.minimize(() => loss(ref), false, ref);
    }
    ours.forEach((v, i) => {
      const a = v.dataSync();
      const b = ref[i]!.dataSync();
      for (let k = 0; k < a.length; k++) expect(a[k]!).toBeCloseTo(b[k]!, 5);
    });
    // And the weights did move: a test that passes with no update would be worthless.
    expect(Math.abs(ours[0]!.dataSync()[0]! - init[0]!.dataSync()[0]!)).toBeGreaterThan(0.05);
    flat.dispose();
    adam.dispose();
  });

  it('leaves no tensor behind once disposed', () => {
    const v = tf.variable(tf.ones([5]));
    const before = tf.memory().numTensors;
    const flat = new FlatAdam([v], 0.01);
    const g = flat.flatten([tf.ones([5])]);
    flat.step(g);
    tf.dispose(g);
    flat.dispose();
    expect(tf.memory().numTensors - before).toBe(1); // the ones([5]) gradient input made above
  });
});
