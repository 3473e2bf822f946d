/** A zip of image folders: class folders, train/val folders, PNG and JPEG decoded in pure JS, and what bad zips get. */
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { readDataFile } from '../../src/datacheck/read/index.ts';
import { runDataCheck } from '../../src/datacheck/index.ts';
import { DEFAULT_READ_LIMITS, VALIDATION } from '../../src/datacheck/table.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { loadMnist, takeBalanced } from '../../src/jobs/dataset.ts';

function png(pixels: ArrayLike<number>, w: number, h: number, rgb?: [number, number, number]): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(pixels[i]! * 255);
    p.data[i * 4] = rgb ? rgb[0] : v;
    p.data[i * 4 + 1] = rgb ? rgb[1] : v;
    p.data[i * 4 + 2] = rgb ? rgb[2] : v;
    p.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(p));
}

function errorOf(f: () => unknown): IngestError {
  try {
    f();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected an IngestError');
}

describe('zip of image folders', () => {
  const digits = takeBalanced(loadMnist(), 60);
  const img = (i: number) => png(digits.x.subarray(i * 784, (i + 1) * 784), 28, 28);

  it('reads train/ and val/ class folders under a common top folder, grey, scaled to 0–1, and the checks see the leak', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 50; i++) files[`digits/train/${digits.y[i]}/${i}.png`] = img(i);
    for (let i = 50; i < 60; i++) files[`digits/val/${digits.y[i]}/${i}.png`] = img(i);
    // A training image copied into validation, and a JPEG in training.
    files[`digits/val/${digits.y[3]}/copy-of-3.png`] = img(3);
    const rgba = new Uint8Array(28 * 28 * 4);
    for (let p = 0; p < 784; p++) rgba.fill(Math.round(digits.x[7 * 784 + p]! * 255), p * 4, p * 4 + 3), (rgba[p * 4 + 3] = 255);
    files[`digits/train/${digits.y[7]}/7.jpg`] = new Uint8Array(jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data);
    files['digits/README.txt'] = new TextEncoder().encode('hello');
    const t = readDataFile(zipSync(files), 'digits.zip', DEFAULT_READ_LIMITS);
    expect(t.kind).toBe('images');
    expect(t.inputShape).toEqual([28, 28, 1]);
    expect(t.y.length).toBe(62);
    expect(t.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(t.hasValidation).toBe(true);
    expect(t.split[t.names.indexOf(`val/${digits.y[3]}/copy-of-3.png`)]).toBe(VALIDATION);
    expect(Math.max(...t.x)).toBeLessThanOrEqual(1);
    expect(t.notes).toEqual([
      '62 images in 10 class folders, split by their train/val folders',
      '1 entries that are not PNG or JPEG images left out',
      'checked as grey 28×28, pixels scaled to 0–1',
    ]);
    const r = runDataCheck(t, { skipLabelErrors: true });
    const leak = r.items.find((i) => i.id === 'leakage')!;
    expect(leak.summary).toMatch(/^1 validation example of 11 .* 1 identical, 0 near-identical/);
    expect(leak.examples).toEqual([`val/${digits.y[3]}/copy-of-3.png ≈ train/${digits.y[3]}/3.png`]);
    // The JPEG of image 7 is a near copy of nothing else; the PNG of 7 is not there.
    expect(r.items.find((i) => i.id === 'unnormalized_inputs')!.status).toBe('pass');
  });

  it('colour images of different sizes are resized to the common one, at most 32 a side', () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 6; i++) files[`red/${i}.png`] = png(new Array(64 * 48).fill(0), 64, 48, [200 + i, 10, 10]);
    files['blue/0.png'] = png(new Array(10 * 10).fill(0), 10, 10, [10, 10, 240]);
    const t = readDataFile(zipSync(files), 'colours.zip', DEFAULT_READ_LIMITS);
    expect(t.inputShape).toEqual([24, 32, 3]);
    expect(t.notes[1]).toBe('checked as RGB 32×24 (box-averaged down from 64×48), pixels scaled to 0–1; 1 images of other sizes resized');
    const red = t.names.indexOf('red/0.png');
    expect(t.x[red * t.featureSize]).toBeCloseTo(200 / 255, 5);
    const blue = t.names.indexOf('blue/0.png');
    expect(t.x[blue * t.featureSize + 2]).toBeCloseTo(240 / 255, 5);
  });

  it('bad zips name the entry and what was expected; decoded sizes are checked before decoding', () => {
    expect(errorOf(() => readDataFile(zipSync({ 'a.txt': new Uint8Array([65]) }), 'x.zip', DEFAULT_READ_LIMITS)).message).toMatch(
      /^x\.zip: a zip with no \.npy arrays and no PNG or JPEG images \(a\.txt\): expected an \.npz/,
    );
    const broken = img(0).slice(0, 60);
    expect(errorOf(() => readDataFile(zipSync({ 'cat/1.png': broken, 'dog/2.png': img(1) }), 'pets.zip', DEFAULT_READ_LIMITS)).message).toMatch(
      /^pets\.zip: entry 'cat\/1\.png' does not decode as PNG \(.*\): expected a valid image$/,
    );
    expect(errorOf(() => readDataFile(zipSync({ '1.png': img(0) }), 'flat.zip', DEFAULT_READ_LIMITS)).message).toContain("image '1.png' is not in a class folder: expected class_name/image.png");
    // A 1700×1700 PNG of zeros compresses to a few KB but decodes to 11.6 MB.
    const big = png(new Uint8Array(1700 * 1700), 1700, 1700);
    expect(big.length).toBeLessThan(200_000);
    expect(errorOf(() => readDataFile(zipSync({ 'a/1.png': big }), 'big.zip', { maxBytes: 10_000_000, maxExamples: 100 })).message).toMatch(
      /^big\.zip: the images decode to 11560000 bytes, over the limit of 10000000 \(INGEST_MAX_BYTES\): refused before decoding$/,
    );
  });
});
