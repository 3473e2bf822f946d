/**
 * A zip of image folders → a DataTable: `class_name/*.png|jpg`, optionally under `train/` and `val/` (or
 * validation/valid/test) for the split, under any common top folder. Images are sniffed by content (PNG and JPEG
 * magic), their sizes read from the headers and checked against the limit before any is decoded, then decoded in
 * pure JS (pngjs, jpeg-js), turned grey when every image is, scaled to 0–1 and box-resized to one size: the most
 * common one, at most WORKING_SIDE a side (what the checks and the label model look at; the notes say so), or, for
 * a training job, the model's input [height, width, channels] (grey images repeated over 3 channels, colour ones
 * averaged to 1).
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { IngestError } from '../../ingest/ingest-error.ts';
import type { FileEntry } from '../../ingest/entries.ts';
import { TRAIN, VALIDATION, type DataTable, type ReadLimits } from '../table.ts';
import { labelsFromStrings } from './labels.ts';

/** Largest side the images are checked at (larger ones are box-averaged down). */
export const WORKING_SIDE = 32;
/** Largest side an image may declare (a 20,000-pixel-wide image is not a training example). */
export const MAX_IMAGE_SIDE = 8192;
const SPLIT_DIRS = new Map([
  ['train', TRAIN],
  ['training', TRAIN],
  ['val', VALIDATION],
  ['valid', VALIDATION],
  ['validation', VALIDATION],
  ['test', VALIDATION],
  ['dev', VALIDATION],
]);

type Kind = 'png' | 'jpeg';

function sniff(b: Uint8Array): Kind | null {
  if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  return null;
}

/** Width and height from the header, without decoding; null when the header is unreadable. */
export function imageSize(b: Uint8Array, kind: Kind): { width: number; height: number } | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (kind === 'png') return b.length >= 24 ? { width: dv.getUint32(16), height: dv.getUint32(20) } : null;
  // JPEG: walk the markers to the first start-of-frame.
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return null;
    const marker = b[p + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    const len = dv.getUint16(p + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: dv.getUint16(p + 5), width: dv.getUint16(p + 7) };
    p += 2 + len;
  }
  return null;
}

export function readImageFolders(entries: FileEntry[], file: string, limits: ReadLimits, target?: number[]): DataTable {
  const images: Array<{ path: string; bytes: Uint8Array; kind: Kind }> = [];
  let others = 0;
  for (const e of entries) {
    const kind = sniff(e.bytes);
    if (kind) images.push({ path: e.path, bytes: e.bytes, kind });
    else others++;
  }
  if (images.length === 0) {
    const held = entries.slice(0, 5).map((e) => e.path).join(', ');
    throw new IngestError({ file, reason: `a zip with no .npy arrays and no PNG or JPEG images (${held || 'empty'}): expected an .npz (np.savez with x and y) or image folders (class_name/image.png)` });
  }
  if (images.length > limits.maxExamples) throw new IngestError({ file, reason: `${images.length} images, over the limit of ${limits.maxExamples} examples` });
  images.sort((a, b) => a.path.localeCompare(b.path));
  // Drop the folders every image shares (a zip of dataset/…), keeping class_name/file.
  const parts = images.map((im) => im.path.split('/'));
  let common = 0;
  while (parts.every((p) => p.length > common + 2 && p[common] === parts[0]![common])) common++;
  const rel = parts.map((p) => p.slice(common));
  const bySplit = rel.some((p) => p.length >= 3 && SPLIT_DIRS.has(p[0]!.toLowerCase()));
  const classOf: string[] = [];
  const split = new Uint8Array(images.length);
  rel.forEach((p, i) => {
    if (bySplit && p.length >= 3 && SPLIT_DIRS.has(p[0]!.toLowerCase())) {
      split[i] = SPLIT_DIRS.get(p[0]!.toLowerCase())!;
      classOf.push(p[1]!);
    } else if (p.length >= 2) classOf.push(p[0]!);
    else throw new IngestError({ file, path: images[i]!.path, reason: `image '${images[i]!.path}' is not in a class folder: expected class_name/image.png (or train/class_name/…)` });
  });

  // Sizes from the headers, all checked before anything is decoded.
  const sizes = images.map((im) => {
    const s = imageSize(im.bytes, im.kind);
    if (!s || s.width < 1 || s.height < 1) throw new IngestError({ file, reason: `entry '${im.path}': unreadable ${im.kind.toUpperCase()} header: expected an image` });
    if (s.width > MAX_IMAGE_SIDE || s.height > MAX_IMAGE_SIDE) throw new IngestError({ file, reason: `entry '${im.path}' is ${s.width}×${s.height}: expected at most ${MAX_IMAGE_SIDE} pixels a side` });
    return s;
  });
  const decodedBytes = sizes.reduce((sum, s) => sum + s.width * s.height * 4, 0);
  if (decodedBytes > limits.maxBytes) throw new IngestError({ file, reason: `the images decode to ${decodedBytes} bytes, over the limit of ${limits.maxBytes} (INGEST_MAX_BYTES): refused before decoding` });

  const tally = new Map<string, number>();
  for (const s of sizes) tally.set(`${s.width}x${s.height}`, (tally.get(`${s.width}x${s.height}`) ?? 0) + 1);
  const [commonSize] = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const [cw, ch] = commonSize.split('x').map(Number) as [number, number];
  if (target && (target.length !== 3 || ![1, 3].includes(target[2]!) || target.some((d) => !Number.isInteger(d) || d < 1))) {
    throw new IngestError({ file, reason: `a zip of images, and the model takes inputs of shape (${target.join(', ')}): expected a model whose input is (height, width, 1 or 3 channels)` });
  }
  const scale = Math.min(1, WORKING_SIDE / Math.max(cw, ch));
  const w = target ? target[1]! : Math.max(1, Math.round(cw * scale));
  const h = target ? target[0]! : Math.max(1, Math.round(ch * scale));

  const rgba = images.map((im) => {
    try {
      if (im.kind === 'png') {
        const png = PNG.sync.read(Buffer.from(im.bytes.buffer, im.bytes.byteOffset, im.bytes.byteLength));
        return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
      }
      const j = jpeg.decode(im.bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 70, maxMemoryUsageInMB: Math.max(64, Math.ceil(limits.maxBytes / 2 ** 20)) });
      return { data: j.data, width: j.width, height: j.height };
    } catch (e) {
      throw new IngestError({ file, reason: `entry '${im.path}' does not decode as ${im.kind.toUpperCase()} (${e instanceof Error ? e.message : String(e)}): expected a valid image` });
    }
  });
  let grey = true;
  for (const im of rgba) {
    const d = im.data;
    for (let p = 0; p < d.length && grey; p += 4) if (d[p] !== d[p + 1] || d[p] !== d[p + 2]) grey = false;
    if (!grey) break;
  }
  const c = target ? target[2]! : grey ? 1 : 3;
  const f = h * w * c;
  const x = new Float32Array(images.length * f);
  let resized = 0;
  rgba.forEach((im, i) => {
    if (im.width !== cw || im.height !== ch) resized++;
    boxResize(im.data, im.width, im.height, w, h, c, x, i * f);
  });
  const labels = labelsFromStrings(classOf, file, 'the class folders');
  const notes = [`${images.length} images in ${labels.classNames.length} class folders${bySplit ? ', split by their train/val folders' : ''}`];
  if (others) notes.push(`${others} entries that are not PNG or JPEG images left out`);
  if (target) notes.push(`resized to the model's input ${w}×${h}×${c} from ${cw}×${ch}${c === 3 && grey ? ' (grey repeated over 3 channels)' : c === 1 && !grey ? ' (colour averaged to grey)' : ''}, pixels scaled to 0–1${resized ? `; ${resized} images of other sizes resized` : ''}`);
  else notes.push(`checked as ${grey ? 'grey' : 'RGB'} ${w}×${h}${scale < 1 ? ` (box-averaged down from ${cw}×${ch})` : ''}, pixels scaled to 0–1${resized ? `; ${resized} images of other sizes resized` : ''}`);
  return {
    source: file,
    kind: 'images',
    inputShape: [h, w, c],
    featureSize: f,
    x,
    y: labels.y,
    classNames: labels.classNames,
    split,
    hasValidation: bySplit && split.some((s) => s === VALIDATION),
    names: rel.map((p) => p.join('/')),
    featureNames: [],
    notes,
  };
}

/** Box-averages an RGBA image (sw × sh) onto dw × dh with c channels (1: grey mean of RGB), scaled to 0–1. */
function boxResize(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, c: number, out: Float32Array, at: number): void {
  if (sw < dw || sh < dh) {
    // Smaller than the common size: nearest neighbour up.
    for (let ty = 0; ty < dh; ty++) {
      for (let tx = 0; tx < dw; tx++) {
        const s = (Math.min(sh - 1, Math.floor((ty * sh) / dh)) * sw + Math.min(sw - 1, Math.floor((tx * sw) / dw))) * 4;
        const t = ty * dw + tx;
        if (c === 1) out[at + t] = (src[s]! + src[s + 1]! + src[s + 2]!) / 3 / 255;
        else for (let k = 0; k < 3; k++) out[at + t * 3 + k] = src[s + k]! / 255;
      }
    }
    return;
  }
  const sums = new Float64Array(dw * dh * c);
  const counts = new Float64Array(dw * dh);
  for (let y = 0; y < sh; y++) {
    const ty = Math.min(dh - 1, Math.floor((y * dh) / sh));
    for (let xx = 0; xx < sw; xx++) {
      const tx = Math.min(dw - 1, Math.floor((xx * dw) / sw));
      const s = (y * sw + xx) * 4;
      const t = ty * dw + tx;
      if (c === 1) sums[t]! += (src[s]! + src[s + 1]! + src[s + 2]!) / 3;
      else for (let k = 0; k < 3; k++) sums[t * 3 + k]! += src[s + k]!;
      counts[t]!++;
    }
  }
  for (let t = 0; t < dw * dh; t++) {
    const n = counts[t]! || 1;
    for (let k = 0; k < c; k++) out[at + t * c + k] = sums[t * c + k]! / n / 255;
  }
}
