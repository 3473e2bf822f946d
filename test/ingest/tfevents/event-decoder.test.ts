import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { EventDecoder, decodeEvent, MalformedProtobuf, tensorContent, type DecodedEvent } from '../../../src/ingest/tfevents/event-decoder.ts';
import { readTfRecords } from '../../../src/ingest/tfevents/tfrecord-reader.ts';
import { REAL_LOGS_DIR, REPO_ROOT } from '../../support/real-logs.ts';
import { DT_BFLOAT16, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT32, DT_INT64, encodeEvent, eventFile, tf2Scalar, type EventSpec } from '../../support/tfevents-writer.ts';

// The vendored .proto files are the reference: protobufjs decodes the same bytes through them.
const root = protobuf.loadSync(path.join(REPO_ROOT, 'src/ingest/tfevents/proto/event.proto'));
const EventType = root.lookupType('tensorboard.Event');

const VALUE_KINDS: Record<string, string> = {
  simpleValue: 'simple_value',
  obsoleteOldStyleHistogram: 'obsolete_old_style_histogram',
  image: 'image',
  histo: 'histo',
  audio: 'audio',
  tensor: 'tensor',
};
const EVENT_KINDS: Record<string, string> = {
  fileVersion: 'file_version',
  graphDef: 'graph_def',
  summary: 'summary',
  logMessage: 'log_message',
  sessionLog: 'session_log',
  taggedRunMetadata: 'tagged_run_metadata',
  metaGraphDef: 'meta_graph_def',
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** protobufjs' view of an Event, in the shape of DecodedEvent. */
function viaProtobufjs(bytes: Uint8Array): DecodedEvent {
  const o = EventType.toObject(EventType.decode(bytes), { longs: Number, enums: Number, defaults: true, oneofs: true }) as Obj;
  const values = ((o.summary?.value ?? []) as Obj[]).map((v) => {
    const t = v.tensor as Obj | undefined;
    return {
      tag: v.tag,
      nodeName: v.nodeName,
      pluginName: v.metadata?.pluginData?.pluginName ?? '',
      pluginContent: v.metadata?.pluginData?.content?.length ? [...v.metadata.pluginData.content] : null,
      dataClass: v.metadata?.dataClass ?? 0,
      kind: v.value ? VALUE_KINDS[v.value] : 'none',
      simpleValue: v.value === 'simpleValue' ? v.simpleValue : 0,
      tensor:
        v.value === 'tensor' && t
          ? {
              dtype: t.dtype,
              dims: ((t.tensorShape?.dim ?? []) as Obj[]).map((d) => d.size),
              content: t.tensorContent.length ? [...t.tensorContent] : null,
              floatVal: t.floatVal,
              doubleVal: t.doubleVal,
              halfVal: t.halfVal,
              intVal: t.intVal,
              int64Val: t.int64Val,
              boolVal: t.boolVal,
            }
          : null,
    };
  });
  return {
    wallTime: o.wallTime,
    step: o.step,
    kind: (o.what ? EVENT_KINDS[o.what] : 'none') as DecodedEvent['kind'],
    fileVersion: o.what === 'fileVersion' ? o.fileVersion : '',
    values: o.what === 'summary' ? (values as never) : [],
    sessionStatus: o.what === 'sessionLog' ? o.sessionLog.status : 0,
    sourceWriter: o.sourceMetadata?.writer ?? '',
  };
}

/** tensor_content as numbers: ours is a range of the decoded bytes, protobufjs' view is already an array. */
function contentOf(t: NonNullable<DecodedEvent['values'][number]['tensor']> | Obj): number[] | null {
  if ('source' in t) {
    const c = tensorContent(t as NonNullable<DecodedEvent['values'][number]['tensor']>);
    return c?.length ? [...c] : null;
  }
  return (t as Obj).content as number[] | null;
}

function comparable(ev: DecodedEvent): unknown {
  return {
    ...ev,
    // A deep copy: EventDecoder reuses its event, values and tensors from one call to the next.
    values: ev.values.map((v) => ({
      ...v,
      pluginContent: v.pluginContent?.length ? [...v.pluginContent] : null,
      tensor: v.tensor
        ? {
            dtype: v.tensor.dtype,
            dims: [...v.tensor.dims],
            content: contentOf(v.tensor),
            floatVal: [...v.tensor.floatVal],
            doubleVal: [...v.tensor.doubleVal],
            halfVal: [...v.tensor.halfVal],
            intVal: [...v.tensor.intVal],
            int64Val: [...v.tensor.int64Val],
            boolVal: [...v.tensor.boolVal],
          }
        : null,
    })),
  };
}

function eventFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? eventFilesUnder(p) : f.includes('tfevents') ? [p] : [];
  });
}

describe('event decoder against protobufjs on the vendored .proto files', () => {
  it('decodes synthetic events of every kind the same way', () => {
    const half = new Uint8Array([0x00, 0x3c]); // 1.0 as binary16
    const events: EventSpec[] = [
      { wallTime: 1.5e9, fileVersion: 'brain.Event:2', sourceWriter: 'tensorboard.summary.writer.event_file_writer' },
      { wallTime: 1.5e9 + 0.25, step: 3, values: [{ tag: 'loss', simpleValue: 0.5 }, { tag: '', nodeName: 'old/node', simpleValue: -2 }] },
      { wallTime: 1.5e9 + 1, step: 2 ** 40 + 7, values: [tf2Scalar('epoch_loss', 1.25, true), tf2Scalar('lr', 1e-3, false, DT_DOUBLE)] },
      { wallTime: 1.5e9 + 2, step: -1, values: [{ tag: 'h', tensor: { dtype: DT_HALF, content: half } }, { tag: 'b', tensor: { dtype: DT_BFLOAT16, halfVal: [0x3f80] } }] },
      { wallTime: 1.5e9 + 3, step: 5, values: [{ tag: 'f', tensor: { dtype: DT_FLOAT, floatVal: [0.1, 0.2], dims: [2], unpacked: true } }] },
      { wallTime: 1.5e9 + 4, step: 6, values: [{ tag: 'i', tensor: { dtype: DT_INT32, intVal: [-3] } }, { tag: 'j', tensor: { dtype: DT_INT64, int64Val: [2 ** 35] } }] },
      { wallTime: 1.5e9 + 5, step: 7, values: [{ tag: 'w', histo: [1, 2, 3] }, { tag: 'img', image: { width: 2, height: 1, png: new Uint8Array([1, 2]) } }, { tag: 'snd', audio: { sampleRate: 16000, data: new Uint8Array(3) } }] },
      { wallTime: 1.5e9 + 6, step: 8, values: [{ tag: '_hparams_/x', pluginName: 'hparams', pluginContent: new Uint8Array([0x12, 0x03, 1, 2, 3]) }] },
      { wallTime: 1.5e9 + 7, graphDef: new Uint8Array([0x0a, 0x00]) },
      { wallTime: 1.5e9 + 8, metaGraphDef: new Uint8Array([1, 2, 3]) },
      { wallTime: 1.5e9 + 9, sessionStatus: 1 },
      { wallTime: 1.5e9 + 10, taggedRunMetadata: { tag: 'step1', runMetadata: new Uint8Array([9]) } },
    ];
    for (const spec of events) {
      const bytes = encodeEvent(spec);
      expect(comparable(decodeEvent(bytes))).toEqual(comparable(viaProtobufjs(bytes)));
    }
  });

  it('keeps the last member of a oneof, as protobuf does', () => {
    const a = encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' });
    const b = encodeEvent({ wallTime: 2, step: 4, values: [{ tag: 'x', simpleValue: 1 }] });
    const both = new Uint8Array([...a, ...b]);
    const ev = decodeEvent(both);
    expect(ev.kind).toBe('summary');
    expect(ev.fileVersion).toBe('');
    expect(comparable(ev)).toEqual(comparable(viaProtobufjs(both)));
  });

  it('rejects truncated and malformed messages with MalformedProtobuf', () => {
    const bytes = encodeEvent({ wallTime: 1, step: 300, values: [{ tag: 'loss', simpleValue: 1 }] });
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        decodeEvent(bytes.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(MalformedProtobuf);
      }
    }
    expect(() => decodeEvent(new Uint8Array([0x0b]))).toThrow(MalformedProtobuf); // wire type 3 (group)
    expect(() => decodeEvent(new Uint8Array([0x2a, 0x05, 0x0a]))).toThrow(MalformedProtobuf); // length past the end
  });

  it('reads the tags of a file through its string cache without mixing them up', () => {
    const tags = Array.from({ length: 50 }, (_, i) => `tag_${i}_${'x'.repeat(i)}`);
    const file = eventFile(tags.flatMap((tag, i) => [0, 1].map((k) => ({ wallTime: 10 + i, step: k, values: [{ tag, simpleValue: i }] }))));
    const decoder = new EventDecoder(file);
    const seen: string[] = [];
    readTfRecords(file, 'f', (s, e) => {
      for (const v of decoder.decodeEvent(s, e).values) seen.push(v.tag);
    });
    expect(seen).toEqual(tags.flatMap((t) => [t, t]));
  });

  describe.skipIf(REAL_LOGS_DIR === null)('every record of the real event files', () => {
    const files = REAL_LOGS_DIR ? eventFilesUnder(path.join(REAL_LOGS_DIR, 'tfevents')) : [];
    it.each(files.map((f) => [path.relative(REAL_LOGS_DIR ?? '', f), f]))('%s', (_, file) => {
      const bytes = new Uint8Array(readFileSync(file));
      const decoder = new EventDecoder(bytes);
      const ours: unknown[] = [];
      const theirs: unknown[] = [];
      readTfRecords(bytes, file, (s, e) => {
        ours.push(comparable(decoder.decodeEvent(s, e)));
        theirs.push(comparable(viaProtobufjs(bytes.subarray(s, e))));
      });
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
    });
  });
});
