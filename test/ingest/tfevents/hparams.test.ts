import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { EventDecoder, MalformedProtobuf } from '../../../src/ingest/tfevents/event-decoder.ts';
import { decodeHparams } from '../../../src/ingest/tfevents/hparams.ts';
import { readTfRecords } from '../../../src/ingest/tfevents/tfrecord-reader.ts';
import { REAL_LOGS_DIR, REPO_ROOT } from '../../support/real-logs.ts';

const HParamsPluginData = protobuf
  .loadSync(path.join(REPO_ROOT, 'src/ingest/tfevents/proto/hparams_plugin_data.proto'))
  .lookupType('tensorboard.hparams.HParamsPluginData');

/** protobufjs' reading of the same content, flattened like decodeHparams. */
function viaProtobufjs(content: Uint8Array): Record<string, unknown> | null {
  const o = HParamsPluginData.toObject(HParamsPluginData.decode(content), { oneofs: true, defaults: false }) as {
    data?: string;
    sessionStartInfo?: { hparams?: Record<string, Record<string, unknown>> };
  };
  if (o.data !== 'sessionStartInfo') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o.sessionStartInfo?.hparams ?? {})) {
    out[k] = 'numberValue' in v ? v.numberValue : 'stringValue' in v ? v.stringValue : 'boolValue' in v ? v.boolValue : 'structValue' in v ? '[struct]' : 'listValue' in v ? '[list]' : null;
  }
  return out;
}

describe('hparams plugin content', () => {
  it('decodes numbers, strings, booleans, null, lists and structs', () => {
    const content = HParamsPluginData.encode(
      HParamsPluginData.fromObject({
        sessionStartInfo: {
          hparams: {
            lr: { numberValue: 3e-4 },
            opt: { stringValue: 'AdamW' },
            amp: { boolValue: true },
            none: { nullValue: 0 },
            layers: { listValue: { values: [{ numberValue: 1 }] } },
            sched: { structValue: { fields: { t: { numberValue: 1 } } } },
          },
          groupName: 'g',
          startTimeSecs: 5,
        },
      }),
    ).finish();
    const h = decodeHparams(content)!;
    expect(h).toEqual(viaProtobufjs(content));
    expect(h.lr).toBe(3e-4);
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
  });

  it('returns null for the experiment and session_end_info records', () => {
    expect(decodeHparams(HParamsPluginData.encode(HParamsPluginData.fromObject({ sessionEndInfo: { status: 1, endTimeSecs: 9 } })).finish())).toBeNull();
    expect(decodeHparams(HParamsPluginData.encode(HParamsPluginData.fromObject({ experiment: { name: 'x' } })).finish())).toBeNull();
  });

  it('throws only MalformedProtobuf on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          decodeHparams(b);
        } catch (e) {
          if (!(e instanceof MalformedProtobuf)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });

  it.skipIf(REAL_LOGS_DIR === null)('agrees with protobufjs on the real Lightning file', () => {
    const file = path.join(REAL_LOGS_DIR ?? '', 'tfevents/03_lightning/lightning_logs/version_0/events.out.tfevents.1770914349.home-mini.local.48068.0');
    const bytes = new Uint8Array(readFileSync(file));
    const decoder = new EventDecoder(bytes);
    const seen: unknown[] = [];
    readTfRecords(bytes, file, (s, e) => {
      for (const v of decoder.decodeEvent(s, e).values) {
        if (v.pluginName !== 'hparams' || !v.pluginContent) continue;
        const ours = decodeHparams(v.pluginContent);
        expect(ours).toEqual(viaProtobufjs(v.pluginContent));
        seen.push(ours);
      }
    });
    expect(seen).toHaveLength(3);
    expect(seen.filter((x) => x !== null)).toHaveLength(1);
  });
});
