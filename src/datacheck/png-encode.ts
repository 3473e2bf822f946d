/** A minimal PNG encoder (8-bit grey or RGB, no interlace) for the contact sheet's thumbnails. Pure. */
import { zlibSync } from 'fflate';

let table: Uint32Array | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** `pixels`: height × width × channels bytes (channels 1 = grey, 3 = RGB). */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let r = 0; r < height; r++) raw.set(pixels.subarray(r * stride, (r + 1) * stride), r * (stride + 1) + 1);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One example of a table (h × w × c floats, any range) → 8-bit pixels scaled by `max` (the table's largest value). */
export function examplePixels(x: Float32Array, index: number, shape: number[], min: number, max: number): { pixels: Uint8Array; channels: 1 | 3 } {
  const [h, w, c] = [shape[0]!, shape[1]!, shape[2] ?? 1];
  const channels: 1 | 3 = c >= 3 ? 3 : 1;
  const f = h * w * c;
  const pixels = new Uint8Array(h * w * channels);
  const span = max > min ? max - min : 1;
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < channels; ch++) {
      const v = (x[index * f + p * c + ch]! - min) / span;
      pixels[p * channels + ch] = Number.isFinite(v) ? Math.round(Math.max(0, Math.min(1, v)) * 255) : 0;
    }
  }
  return { pixels, channels };
}
