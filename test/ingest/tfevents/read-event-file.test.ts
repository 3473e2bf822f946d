import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc } from '../../../src/ingest/tfevents/crc32c.ts';
import { IngestError } from '../../../src/ingest/ingest-error.ts';
import { MAX_SCALAR_TAGS, readEventFile } from '../../../src/ingest/tfevents/read-event-file.ts';
import { isTfeventsFile } from '../../../src/ingest/tfevents/index.ts';
import { halfToNumber, bfloat16ToNumber } from '../../../src/ingest/tfevents/tensor-scalar.ts';
import {
  concatBytes, DT_BFLOAT16, DT_DOUBLE, DT_HALF, DT_INT64, encodeEvent, eventFile, frameRecord, simpleScalar, tf2Scalar, type EventSpec,
} from '../../support/tfevents-writer.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bitwise CRC-32C, the textbook definition, to check the table-driven one. */
function crc32cBitwise(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function lossEvents(n: number, wall = 1000): EventSpec[] {
  return Array.from({ length: n }, (_, i) => ({ wallTime: wall + i, step: i, values: [simpleScalar('loss', 1 / (i + 1))] }));
}

describe('CRC-32C', () => {
  it('matches the RFC 3720 test vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('slice-by-8 equals the bitwise definition on any range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(20), fc.nat(20), (b, a, z) => {
        const start = Math.min(a, b.length);
        const end = Math.max(start, b.length - z);
        expect(crc32c(b, start, end)).toBe(crc32cBitwise(b.subarray(start, end)));
      }),
    );
  });

  it('masks as TFRecord does', () => {
    expect(maskCrc(0)).toBe(0xa282ead8);
    expect(maskCrc(0x12345678)).toBe((((0x12345678 >>> 15) | (0x12345678 << 17)) + 0xa282ead8) >>> 0);
  });
});

describe('readEventFile', () => {
  it('reads simple_value scalars with steps and wall times', () => {
    const f = readEventFile(eventFile(lossEvents(5)), 'f');
    expect(f.fileVersion).toBe('brain.Event:2');
    expect(f.events).toBe(6);
    expect(f.firstWallTime).toBe(1000);
    const loss = f.scalars.get('loss')!;
    expect(Array.from(loss.steps)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(loss.wallTimes)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(loss.values[2]).toBeCloseTo(1 / 3, 6);
    expect(f.truncatedAt).toBeNull();
  });

  it('reads TF2 tensor scalars whose plugin name is only on the first value of each tag', () => {
    const events: EventSpec[] = [0, 1, 2].map((i) => ({
      wallTime: 10 + i,
      step: i,
      values: [tf2Scalar('epoch_loss', 2 - i, i === 0), tf2Scalar('epoch_lr', 0.1 * (i + 1), i === 0, DT_DOUBLE)],
    }));
    // A tensor of another plugin under a tag never marked as scalars stays out.
    events.push({ wallTime: 20, step: 3, values: [{ tag: 'other', pluginName: 'text', tensor: { dtype: 7 } }, { tag: 'other', tensor: { dtype: 1, floatVal: [5] } }] });
    const f = readEventFile(eventFile(events), 'f');
    expect(Array.from(f.scalars.get("epoch_loss")!.values)).toEqual([2, 1, 0]);
    expect(Array.from(f.scalars.get("epoch_lr")!.values, (v) => +v.toFixed(12))).toEqual([0.1, 0.2, 0.3]);
    expect(f.scalars.has('other')).toBe(false);
    expect(f.skipped.get('text summaries')).toBe(2);
  });

  it('remembers the plugin per file: a tag first seen without it is not a scalar', () => {
    const f = readEventFile(eventFile([{ wallTime: 1, step: 1, values: [tf2Scalar('x', 1, false)] }]), 'f');
    expect(f.scalars.size).toBe(0);
    expect(f.skipped.get('tensors without a plugin')).toBe(1);
  });

  it('reads half, bfloat16, double, int64 and float_val scalars, and a scalar data class without a plugin', () => {
    const f = readEventFile(
      eventFile([
        {
          wallTime: 1,
          step: 1,
          values: [
            { tag: 'h', pluginName: 'scalars', tensor: { dtype: DT_HALF, content: new Uint8Array([0x00, 0x3c]) } },
            { tag: 'hv', pluginName: 'scalars', tensor: { dtype: DT_HALF, halfVal: [0xc000] } },
            { tag: 'b', pluginName: 'scalars', tensor: { dtype: DT_BFLOAT16, content: new Uint8Array([0x80, 0x3f]) } },
            { tag: 'bv', pluginName: 'scalars', tensor: { dtype: DT_BFLOAT16, halfVal: [0x4040] } },
            { tag: 'd', pluginName: 'scalars', tensor: { dtype: DT_DOUBLE, doubleVal: [0.1] } },
            { tag: 'i', pluginName: 'scalars', tensor: { dtype: DT_INT64, int64Val: [2 ** 40] } },
            { tag: 'fv', pluginName: 'scalars', tensor: { dtype: 1, floatVal: [0.5], unpacked: true } },
            { tag: 'dc', dataClass: 1, tensor: { dtype: 1, floatVal: [7] } },
            { tag: 'vec', pluginName: 'scalars', tensor: { dtype: 1, floatVal: [1, 2], dims: [2] } },
          ],
        },
      ]),
      'f',
    );
    const v = (t: string) => f.scalars.get(t)?.values[0];
    expect([v('h'), v('hv'), v('b'), v('bv'), v('d'), v('i'), v('fv'), v('dc')]).toEqual([1, -2, 1, 3, 0.1, 2 ** 40, 0.5, 7]);
    expect(f.scalars.has('vec')).toBe(false);
    expect(f.skipped.get('scalar-plugin tensors that are not one number')).toBe(1);
  });

  it('counts histograms, images, audio, graphs and run metadata instead of reading them', () => {
    const f = readEventFile(
      eventFile([
        { wallTime: 1, graphDef: new Uint8Array(10) },
        { wallTime: 1, metaGraphDef: new Uint8Array(3) },
        { wallTime: 1, taggedRunMetadata: { tag: 's', runMetadata: new Uint8Array(1) } },
        { wallTime: 2, step: 1, values: [{ tag: 'w', histo: [1, 2] }, { tag: 'img', image: { width: 1, height: 1, png: new Uint8Array(4) } }, { tag: 'a', audio: { sampleRate: 8000, data: new Uint8Array(2) } }] },
        { wallTime: 3, step: 2, values: [{ tag: 'w2', pluginName: 'histograms', tensor: { dtype: 1, dims: [3, 3], content: new Uint8Array(36) } }, { tag: 'w2', tensor: { dtype: 1, dims: [3, 3], content: new Uint8Array(36) } }] },
        { wallTime: 4, step: 3, values: [simpleScalar('loss', 1)] },
      ]),
      'f',
    );
    expect(Object.fromEntries(f.skipped)).toEqual({ graphs: 1, 'meta graphs': 1, 'run metadata': 1, histograms: 3, images: 1, audio: 1 });
    expect([...f.scalars.keys()]).toEqual(['loss']);
  });

  it('refuses a file with more distinct scalar tags than the stated limit', () => {
    const many = eventFile([{ wallTime: 1, step: 1, values: Array.from({ length: MAX_SCALAR_TAGS + 1 }, (_, i) => simpleScalar(`t${i}`, i)) }]);
    expect(() => readEventFile(many, 'f')).toThrow(new RegExp(`f: more than ${MAX_SCALAR_TAGS} distinct scalar tags \\(the next one, in the record at byte \\d+\\)`));
  });

  it('drops what a SessionLog START orphaned, like TensorBoard', () => {
    const f = readEventFile(
      eventFile([
        { wallTime: 1, sessionStatus: 1 },
        ...lossEvents(10, 2),
        { wallTime: 20, step: 6, sessionStatus: 1 },
        ...lossEvents(12, 30).slice(6),
      ]),
      'f',
    );
    const loss = f.scalars.get('loss')!;
    expect(Array.from(loss.steps)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(loss.wallTimes[6]).toBe(36);
    expect(f.sessionRestarts).toEqual([{ step: 6, dropped: 4 }]);
  });

  it('uses node_name when the tag is empty (very old TF1 files)', () => {
    const f = readEventFile(eventFile([{ wallTime: 1, step: 1, values: [{ tag: '', nodeName: 'xent', simpleValue: 3 }] }]), 'f');
    expect(Array.from(f.scalars.get("xent")!.values)).toEqual([3]);
  });

  describe('framing', () => {
    const whole = eventFile(lossEvents(10));
    const recordEnds: number[] = [];
    for (let o = 0; o < whole.length; ) {
      const len = new DataView(whole.buffer, whole.byteOffset).getUint32(o, true);
      o += 16 + len;
      recordEnds.push(o);
    }

    it('reads up to a truncated last record and says where it starts, wherever the cut falls', () => {
      for (let cut = recordEnds[0] + 1; cut < whole.length; cut++) {
        const f = readEventFile(whole.subarray(0, cut), 'f');
        const complete = recordEnds.filter((e) => e <= cut).length;
        expect(f.events).toBe(complete);
        expect(f.truncatedAt).toBe(recordEnds.includes(cut) ? null : recordEnds[complete - 1]);
        expect(f.scalars.get('loss')?.values.length ?? 0).toBe(complete - 1);
      }
    });

    it('stops with an IngestError naming the byte offset on a bad length CRC', () => {
      const bad = whole.slice();
      bad[recordEnds[2] + 8] ^= 0x01; // the length CRC of the 4th record
      expect(() => readEventFile(bad, 'run/events.out.tfevents.1')).toThrow(IngestError);
      expect(() => readEventFile(bad, 'run/events.out.tfevents.1')).toThrow(`run/events.out.tfevents.1: bad length CRC at byte ${recordEnds[2]} (record 4)`);
    });

    it('skips a record with a bad payload CRC and counts it', () => {
      const bad = whole.slice();
      bad[recordEnds[3] + 14] ^= 0xff; // payload of the 5th record (step 3)
      const f = readEventFile(bad, 'f');
      expect(f.badPayloadCrcOffsets).toEqual([recordEnds[3]]);
      expect(Array.from(f.scalars.get("loss")!.steps)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    });

    it('never trusts a length beyond the file size: the record is the truncated tail', () => {
      const head = frameRecord(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' }));
      const lying = new Uint8Array(16 + 10);
      const dv = new DataView(lying.buffer);
      dv.setUint32(0, 0x7fffffff, true);
      dv.setUint32(8, maskCrc(crc32c(lying, 0, 8)), true);
      const f = readEventFile(concatBytes([head, lying]), 'f');
      expect(f.events).toBe(1);
      expect(f.truncatedAt).toBe(head.length);
      // A length with the high word set (≥ 4 GiB) too.
      dv.setUint32(0, 1, true);
      dv.setUint32(4, 1, true);
      dv.setUint32(8, maskCrc(crc32c(lying, 0, 8)), true);
      expect(readEventFile(concatBytes([head, lying]), 'f').truncatedAt).toBe(head.length);
    });

    it('skips a record with a good CRC that is not an Event, and counts it', () => {
      const junk = frameRecord(new Uint8Array([0x0b, 0x0c])); // wire type 3: not in any event
      const f = readEventFile(concatBytes([whole, junk, frameRecord(encodeEvent({ wallTime: 99, step: 10, values: [simpleScalar('loss', 0)] }))]), 'f');
      expect(f.undecodableOffsets).toEqual([whole.length]);
      expect(f.scalars.get('loss')!.steps.at(-1)).toBe(10);
    });

    it('reads an empty file as no events', () => {
      const f = readEventFile(new Uint8Array(0), 'f');
      expect(f.events).toBe(0);
      expect(f.truncatedAt).toBeNull();
    });
  });
});

describe('isTfeventsFile', () => {
  it('accepts an event file by its content', () => {
    expect(isTfeventsFile(eventFile(lossEvents(2)))).toBe(true);
    expect(isTfeventsFile(eventFile(lossEvents(2), { fileVersion: null }))).toBe(true);
  });
  it('refuses text, empty bytes, a damaged header and a record that is not an Event', () => {
    expect(isTfeventsFile(ascii('epoch,loss,val_loss\n0,1.2,1.3\n'))).toBe(false);
    expect(isTfeventsFile(new Uint8Array(0))).toBe(false);
    const bad = eventFile(lossEvents(2));
    bad[8] ^= 1;
    expect(isTfeventsFile(bad)).toBe(false);
    expect(isTfeventsFile(frameRecord(new Uint8Array([0x0b])))).toBe(false);
    expect(isTfeventsFile(frameRecord(new Uint8Array(0)))).toBe(false);
  });
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => typeof isTfeventsFile(b) === 'boolean'));
  });
});

describe('binary16 and bfloat16', () => {
  it('decode the special values', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0x7fc0)).toBeNaN();
  });
});

describe('the bench writer', () => {
  it('writes the same bytes as the message-by-message encoder', async () => {
    const { fastScalarEventFile } = await import('../../support/tfevents-writer.ts');
    const specs = [
      { tag: 'loss', step: 0, wallTime: 5.5, value: 0.25, tensor: true },
      { tag: 'loss', step: 1, wallTime: 6.5, value: 0.125, tensor: true },
      { tag: 'a/very/long/tag/'.repeat(10), step: 300, wallTime: 7, value: -1, tensor: false },
      { tag: 'acc', step: 2 ** 33, wallTime: 8, value: 0.5, tensor: true },
    ];
    const slow = eventFile(
      specs.map((s, i) => ({ wallTime: s.wallTime, step: s.step, values: [s.tensor ? tf2Scalar(s.tag, s.value, specs.findIndex((x) => x.tag === s.tag) === i) : simpleScalar(s.tag, s.value)] })),
      { wallTime: 5 },
    );
    expect(fastScalarEventFile(specs.length, (i) => specs[i], 5)).toEqual(slow);
  });
});
