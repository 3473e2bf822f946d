import { describe, expect, it } from 'vitest';
import { deflateSync, zipSync, strToU8 } from 'fflate';
import { isZip, MAX_MEMBER_BYTES, MAX_MEMBERS, unzipEntries } from '../../src/ingest/archive.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';

/** Writes a zip by hand so that names, declared sizes and CRCs can lie. */
function rawZip(members: Array<{ name: string; data: Uint8Array; method?: 0 | 8; declaredSize?: number; crc?: number }>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = strToU8(m.name);
    const body = m.method === 8 ? deflateSync(m.data) : m.data;
    const size = m.declaredSize ?? m.data.length;
    const crc = m.crc ?? 0;
    const local = new Uint8Array(30 + name.length + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, m.method ?? 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(body, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, m.method ?? 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return (e as IngestError).reason;
  }
  throw new Error('expected an IngestError');
}

describe('unzipEntries', () => {
  it('reads stored and deflated members, skipping directories and macOS junk', () => {
    const zip = zipSync({
      'logs/': new Uint8Array(0),
      'logs/a.csv': strToU8('epoch,loss\n0,1\n'),
      'logs/b.json': [strToU8('{"loss":[1,2]}'), { level: 0 }],
      '__MACOSX/logs/._a.csv': strToU8('junk'),
      'logs/.DS_Store': strToU8('junk'),
    });
    expect(isZip(zip)).toBe(true);
    const entries = unzipEntries(zip, 'logs.zip');
    expect(entries.map((e) => e.path)).toEqual(['logs/a.csv', 'logs/b.json']);
    expect(new TextDecoder().decode(entries[0]!.bytes)).toBe('epoch,loss\n0,1\n');
  });

  it('refuses ../ and absolute member paths', () => {
    expect(reason(() => unzipEntries(zipSync({ '../evil.csv': strToU8('x') }), 'a.zip'))).toMatch(/^unsafe member path '\.\.\/evil\.csv'/);
    expect(reason(() => unzipEntries(rawZip([{ name: '/etc/passwd', data: strToU8('x') }]), 'a.zip'))).toMatch(/^unsafe member path '\/etc\/passwd'/);
    expect(reason(() => unzipEntries(rawZip([{ name: 'a\\..\\..\\b', data: strToU8('x') }]), 'a.zip'))).toMatch(/^unsafe member path/);
    expect(reason(() => unzipEntries(rawZip([{ name: 'C:/x.csv', data: strToU8('x') }]), 'a.zip'))).toMatch(/^unsafe member path/);
  });

  it('refuses a member declaring 1 GB before inflating anything (zip bomb)', () => {
    const bomb = rawZip([{ name: 'bomb.csv', data: new Uint8Array(1000), method: 8, declaredSize: 1_000_000_000 }]);
    expect(reason(() => unzipEntries(bomb, 'bomb.zip'))).toBe(
      `member 'bomb.csv' declares 1000000000 bytes uncompressed, over the limit of ${MAX_MEMBER_BYTES} (MAX_MEMBER_BYTES)`,
    );
  });

  it('stops a member that inflates beyond its declared size', () => {
    const liar = rawZip([{ name: 'liar.csv', data: new Uint8Array(5_000_000), method: 8, declaredSize: 100 }]);
    expect(reason(() => unzipEntries(liar, 'liar.zip'))).toMatch(/^member 'liar\.csv' inflates to more than its declared 100 bytes/);
  });

  it('refuses too many members and CRC mismatches', () => {
    const many = rawZip(Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(0) })));
    expect(reason(() => unzipEntries(many, 'many.zip'))).toMatch(/^10001 members, over the limit of 10000/);
    const bad = rawZip([{ name: 'a.csv', data: strToU8('epoch,loss\n'), crc: 12345 }]);
    expect(reason(() => unzipEntries(bad, 'bad.zip'))).toMatch(/CRC mismatch/);
  });

  it('refuses truncated archives with a clear reason', () => {
    const zip = zipSync({ 'a.csv': strToU8('epoch,loss\n0,1\n'.repeat(100)) });
    expect(reason(() => unzipEntries(zip.subarray(0, zip.length - 30), 't.zip'))).toMatch(/not a readable zip archive/);
  });
});
