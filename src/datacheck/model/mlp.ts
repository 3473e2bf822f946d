/**
 * A small classifier in plain TypeScript for out-of-sample probabilities: softmax regression, or one hidden ReLU
 * layer, trained with Adam on mini-batches. Pure and seeded (same data, same probabilities), no TensorFlow.js backend
 * to load, so the data checklist runs anywhere the CLI does. Inputs are scaled from the training part only: images
 * by their largest magnitude (zeros stay zeros, which the inner loops skip), rows standardised per column.
 */
import { createRng, permutation } from '../../jobs/rng.ts';

export interface MlpOptions {
  /** Hidden units; 0 for softmax regression. */
  hidden: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on the weights. */
  l2: number;
  seed: number;
  /** 'max': divide by the largest |value| (images); 'standardise': per column mean 0, std 1 (rows). */
  scaling: 'max' | 'standardise';
}

export const DEFAULT_MLP: MlpOptions = { hidden: 64, epochs: 12, batchSize: 32, learningRate: 2e-3, l2: 1e-4, seed: 1, scaling: 'standardise' };

interface Scale {
  shift: Float32Array;
  mul: Float32Array;
}

function fitScale(x: Float32Array, n: number, f: number, how: MlpOptions['scaling']): Scale {
  const shift = new Float32Array(f);
  const mul = new Float32Array(f).fill(1);
  if (how === 'max') {
    let m = 0;
    for (let i = 0; i < n * f; i++) {
      const a = Math.abs(x[i]!);
      if (a > m && Number.isFinite(a)) m = a;
    }
    mul.fill(m > 0 ? 1 / m : 1);
    return { shift, mul };
  }
  const sum = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const v = x[i * f + j]!;
      sum[j]! += v;
      sq[j]! += v * v;
    }
  }
  for (let j = 0; j < f; j++) {
    const mean = n ? sum[j]! / n : 0;
    const sd = n ? Math.sqrt(Math.max(0, sq[j]! / n - mean * mean)) : 0;
    shift[j] = mean;
    mul[j] = sd > 1e-8 ? 1 / sd : 1;
  }
  return { shift, mul };
}

function applyScale(x: Float32Array, n: number, f: number, s: Scale): Float32Array {
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const v = (x[i * f + j]! - s.shift[j]!) * s.mul[j]!;
      out[i * f + j] = Number.isFinite(v) ? Math.max(-1e3, Math.min(1e3, v)) : 0;
    }
  }
  return out;
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  constructor(
    private readonly w: Float32Array,
    private readonly lr: number,
    private readonly l2: number,
  ) {
    this.m = new Float32Array(w.length);
    this.v = new Float32Array(w.length);
  }
  step(g: Float32Array, scale: number, decay: boolean): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const { w, m, v, lr, l2 } = this;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]! * scale + (decay ? l2 * w[i]! : 0);
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      w[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
    }
  }
}

/**
 * Trains on (xTrain, yTrain) and returns the softmax probabilities of xTest: nTest × k, row-major.
 * `f` is the feature count, `k` the class count.
 */
export function fitPredict(xTrain: Float32Array, yTrain: Int32Array, xTest: Float32Array, f: number, k: number, options: Partial<MlpOptions> = {}): Float32Array {
  const o = { ...DEFAULT_MLP, ...options };
  const n = yTrain.length;
  const nTest = xTest.length / f;
  const scale = fitScale(xTrain, n, f, o.scaling);
  const xs = applyScale(xTrain, n, f, scale);
  const xt = applyScale(xTest, nTest, f, scale);
  const rng = createRng(o.seed);
  const h = o.hidden;
  const inner = h > 0 ? h : f;
  // W1: h × f (absent for softmax regression), W2: k × inner.
  const w1 = new Float32Array(h * f);
  const b1 = new Float32Array(h);
  const w2 = new Float32Array(k * inner);
  const b2 = new Float32Array(k);
  const he1 = Math.sqrt(2 / f);
  for (let i = 0; i < w1.length; i++) w1[i] = rng.normal() * he1;
  const he2 = Math.sqrt(1 / inner);
  for (let i = 0; i < w2.length; i++) w2[i] = rng.normal() * he2;
  const g1 = new Float32Array(w1.length);
  const gb1 = new Float32Array(h);
  const g2 = new Float32Array(w2.length);
  const gb2 = new Float32Array(k);
  const opt = { w1: new Adam(w1, o.learningRate, o.l2), b1: new Adam(b1, o.learningRate, 0), w2: new Adam(w2, o.learningRate, o.l2), b2: new Adam(b2, o.learningRate, 0) };

  const hid = new Float32Array(inner);
  const p = new Float32Array(k);
  const dh = new Float32Array(inner);
  const nz = new Int32Array(f);

  /** Forward pass of example row `row` of `x`: fills hid (the hidden layer, or the input itself) and p. Returns nz count. */
  const forward = (x: Float32Array, row: number): number => {
    const base = row * f;
    let nnz = 0;
    for (let j = 0; j < f; j++) if (x[base + j] !== 0) nz[nnz++] = j;
    if (h > 0) {
      for (let u = 0; u < h; u++) {
        let s = b1[u]!;
        const wb = u * f;
        for (let q = 0; q < nnz; q++) {
          const j = nz[q]!;
          s += w1[wb + j]! * x[base + j]!;
        }
        hid[u] = s > 0 ? s : 0;
      }
    } else {
      for (let j = 0; j < f; j++) hid[j] = x[base + j]!;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = b2[c]!;
      const wb = c * inner;
      for (let u = 0; u < inner; u++) s += w2[wb + u]! * hid[u]!;
      p[c] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(p[c]! - max);
      p[c] = e;
      z += e;
    }
    for (let c = 0; c < k; c++) p[c]! /= z;
    return nnz;
  };

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = permutation(n, rng);
    for (let start = 0; start < n; start += o.batchSize) {
      const end = Math.min(n, start + o.batchSize);
      g1.fill(0);
      gb1.fill(0);
      g2.fill(0);
      gb2.fill(0);
      for (let b = start; b < end; b++) {
        const i = order[b]!;
        const nnz = forward(xs, i);
        p[yTrain[i]!]! -= 1; // dLoss/dlogits
        dh.fill(0);
        for (let c = 0; c < k; c++) {
          const d = p[c]!;
          if (d === 0) continue;
          gb2[c]! += d;
          const wb = c * inner;
          for (let u = 0; u < inner; u++) {
            g2[wb + u]! += d * hid[u]!;
            dh[u]! += d * w2[wb + u]!;
          }
        }
        if (h > 0) {
          const base = i * f;
          for (let u = 0; u < h; u++) {
            if (hid[u]! <= 0) continue;
            const d = dh[u]!;
            gb1[u]! += d;
            const wb = u * f;
            for (let q = 0; q < nnz; q++) {
              const j = nz[q]!;
              g1[wb + j]! += d * xs[base + j]!;
            }
          }
        }
      }
      const s = 1 / (end - start);
      if (h > 0) {
        opt.w1.step(g1, s, true);
        opt.b1.step(gb1, s, false);
      }
      opt.w2.step(g2, s, true);
      opt.b2.step(gb2, s, false);
    }
  }

  const out = new Float32Array(nTest * k);
  for (let i = 0; i < nTest; i++) {
    forward(xt, i);
    out.set(p, i * k);
  }
  return out;
}
