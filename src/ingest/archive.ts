import { Inflate } from 'fflate';
import type { FileEntry } from './entries.ts';
import { IngestError } from './ingest-error.ts';

/** Largest uncompressed member accepted (declared in the central directory and enforced while inflating). */
export const MAX_MEMBER_BYTES = 512 * 1024 * 1024;
/** Largest total uncompressed size of all members, whatever the caller allows (it passes INGEST_MAX_BYTES). */
export const MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

export interface UnzipOptions {
  /**
   * Most bytes all members may inflate to (INGEST_MAX_BYTES, so an archive is held to what a plain file may be):
   * checked on the declared sizes before anything is inflated, and while inflating, each member being cut off as
   * soon as it passes its declared size. Capped at MAX_TOTAL_BYTES.
   */
  maxTotalBytes?: number;
}
/** Most members an archive may list. */
export const MAX_MEMBERS = 10_000;
/** Compressed input fed to the inflater per step, so a lying member is stopped after at most ~64 MiB of output. */
const INFLATE_INPUT_CHUNK = 64 * 1024;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;

/** Zip magic: a local file header, or the end record of an empty archive. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * A zip archive → its files. Reads the central directory itself so that every limit is checked before anything is
 * inflated: member count, declared sizes, paths (`../`, absolute and drive paths are refused: the archive is refused
 * whole, not cleaned up). Inflation is capped at the declared size and the CRC is checked. Directories, `__MACOSX/`
 * and `.DS_Store` are left out. Nested archives come back as ordinary entries; the caller decides not to open them.
 */
export function unzipEntries(bytes: Uint8Array, archiveName: string, opts: UnzipOptions = {}): FileEntry[] {
  const fail = (reason: string): never => {
    throw new IngestError({ file: archiveName, reason });
  };
  const maxTotal = Math.min(opts.maxTotalBytes ?? MAX_TOTAL_BYTES, MAX_TOTAL_BYTES);
  const limitName = opts.maxTotalBytes !== undefined && opts.maxTotalBytes < MAX_TOTAL_BYTES ? 'INGEST_MAX_BYTES' : 'MAX_TOTAL_BYTES';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(bytes, dv);
  if (eocd < 0) fail('not a readable zip archive: no end-of-central-directory record');
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_ZIP64_LOCATOR) fail('not a readable zip archive: ZIP64 locator missing');
    const z = safeNumber(dv.getBigUint64(loc + 8, true));
    if (z + 56 > bytes.length || dv.getUint32(z, true) !== SIG_ZIP64_EOCD) fail('not a readable zip archive: ZIP64 end record missing');
    count = safeNumber(dv.getBigUint64(z + 32, true));
    cdOffset = safeNumber(dv.getBigUint64(z + 48, true));
  }
  if (count > MAX_MEMBERS) fail(`${count} members, over the limit of ${MAX_MEMBERS} (MAX_MEMBERS)`);

  const decoder = new TextDecoder('utf-8');
  const members: Array<{ name: string; method: number; crc: number; csize: number; usize: number; offset: number }> = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== SIG_CENTRAL) fail(`not a readable zip archive: central directory entry ${i + 1} is damaged`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let csize = dv.getUint32(p + 20, true);
    let usize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let offset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > bytes.length) fail(`not a readable zip archive: central directory entry ${i + 1} is truncated`);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values, in this order, for those whose 32-bit field is saturated.
    if (usize === 0xffffffff || csize === 0xffffffff || offset === 0xffffffff) {
      let e = p + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (id === 1) {
          let f = e + 4;
          if (usize === 0xffffffff && f + 8 <= e + 4 + len) { usize = safeNumber(dv.getBigUint64(f, true)); f += 8; }
          if (csize === 0xffffffff && f + 8 <= e + 4 + len) { csize = safeNumber(dv.getBigUint64(f, true)); f += 8; }
          if (offset === 0xffffffff && f + 8 <= e + 4 + len) { offset = safeNumber(dv.getBigUint64(f, true)); f += 8; }
        }
        e += 4 + len;
      }
    }
    p += 46 + nameLen + extraLen + commentLen;

    checkMemberPath(name, archiveName);
    if (name.endsWith('/') || /(^|\/)__MACOSX\//.test(name) || /(^|\/)\.DS_Store$/.test(name)) continue;
    if (flags & 1) fail(`member '${name}' is encrypted: expected an unencrypted archive`);
    if (method !== 0 && method !== 8) fail(`member '${name}' uses compression method ${method}: expected stored (0) or deflate (8)`);
    if (usize > MAX_MEMBER_BYTES) fail(`member '${name}' declares ${usize} bytes uncompressed, over the limit of ${MAX_MEMBER_BYTES} (MAX_MEMBER_BYTES)`);
    total += usize;
    // Refused before a byte is inflated: a 3.5 MB zip of 1 GiB of CSV used to be inflated whole, then refused.
    if (total > maxTotal) fail(`members inflate to more than ${mib(maxTotal)} in all (the ${limitName} limit): refused before inflating`);
    members.push({ name, method, crc, csize, usize, offset });
  }

  const entries: FileEntry[] = [];
  for (const m of members) {
    const o = m.offset;
    if (o + 30 > bytes.length || dv.getUint32(o, true) !== SIG_LOCAL) fail(`member '${m.name}': local header missing (damaged archive)`);
    const start = o + 30 + dv.getUint16(o + 26, true) + dv.getUint16(o + 28, true);
    if (start + m.csize > bytes.length) fail(`member '${m.name}' runs past the end of the archive (truncated download?)`);
    const data = bytes.subarray(start, start + m.csize);
    let out: Uint8Array;
    if (m.method === 0) {
      if (m.csize !== m.usize) fail(`member '${m.name}': stored size ${m.csize} differs from its declared size ${m.usize}`);
      out = data.slice();
    } else {
      out = inflateCapped(data, m.usize, m.name, archiveName);
    }
    if (crc32(out) !== m.crc) fail(`member '${m.name}': CRC mismatch (corrupt archive)`);
    entries.push({ path: m.name.replace(/\\/g, '/'), bytes: out });
  }
  return entries;
}

function checkMemberPath(name: string, archiveName: string): void {
  const p = name.replace(/\\/g, '/');
  const unsafe = p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.split('/').some((seg) => seg === '..') || p.includes('\0');
  if (unsafe) throw new IngestError({ file: archiveName, reason: `unsafe member path '${name}': expected relative paths inside the archive (no '..', no absolute paths)` });
}

function findEocd(bytes: Uint8Array, dv: DataView): number {
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let e = bytes.length - 22; e >= stop; e--) {
    if (bytes[e] === 0x50 && dv.getUint32(e, true) === SIG_EOCD) return e;
  }
  return -1;
}

function mib(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Inflates `data`, refusing output beyond `declared` bytes as soon as it appears (a member lying about its size). */
function inflateCapped(data: Uint8Array, declared: number, name: string, archiveName: string): Uint8Array {
  const out = new Uint8Array(declared);
  let size = 0;
  let over = false;
  const inflater = new Inflate((chunk: Uint8Array) => {
    if (size + chunk.length > declared) {
      over = true;
      return;
    }
    out.set(chunk, size);
    size += chunk.length;
  });
  try {
    for (let i = 0; i < data.length || i === 0; i += INFLATE_INPUT_CHUNK) {
      const end = Math.min(i + INFLATE_INPUT_CHUNK, data.length);
      inflater.push(data.subarray(i, end), end >= data.length);
      if (over) break;
      if (end >= data.length) break;
    }
  } catch (e) {
    throw new IngestError({ file: archiveName, reason: `member '${name}' does not inflate (${e instanceof Error ? e.message : String(e)}): corrupt archive` });
  }
  if (over) throw new IngestError({ file: archiveName, reason: `member '${name}' inflates to more than its declared ${declared} bytes: refused (zip bomb?)` });
  if (size !== declared) throw new IngestError({ file: archiveName, reason: `member '${name}' inflates to ${size} bytes, not its declared ${declared} (corrupt archive)` });
  return out;
}

let crcTable: Uint32Array | null = null;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
