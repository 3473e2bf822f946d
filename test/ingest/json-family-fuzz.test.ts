import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FormatParser } from '../../src/ingest/parser.ts';
import { hfTrainerStateParser } from '../../src/ingest/hf-trainer-state.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { jsonRecordsParser } from '../../src/ingest/json-records.ts';
import { jsonlParser } from '../../src/ingest/jsonl.ts';
import { kerasHistoryParser } from '../../src/ingest/keras-history.ts';
import { parseMlflowTree } from '../../src/ingest/mlflow.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';

const PARSERS: FormatParser[] = [hfTrainerStateParser, kerasHistoryParser, jsonRecordsParser, jsonlParser];

/** Runs `fn`; anything thrown must be an IngestError. */
function onlyIngestErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof IngestError)) throw e;
  }
}

const mutation = (length: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: Math.max(0, length - 1) }), fc.nat(12), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 });

function mutate(text: string, edits: Array<[number, number, string]>): string {
  let out = text;
  for (const [at, cut, insert] of edits) out = out.slice(0, at) + insert + out.slice(at + cut);
  return out;
}

describe('JSON-family parsers throw only IngestError', () => {
  it('on random text, whatever sniff says', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        for (const p of PARSERS) {
          onlyIngestErrors(() => p.sniff(text));
          onlyIngestErrors(() => p.parse(text, 'random.json'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on random MLflow trees', () => {
    const enc = new TextEncoder();
    const entry = fc.record({
      path: fc.constantFrom('r/meta.yaml', 'r/metrics/loss', 'r/metrics/a/b', 'r/params/lr', 'r/tags/mlflow.runName', 'e/meta.yaml'),
      text: fc.string({ unit: 'binary', maxLength: 60 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (files) => {
        onlyIngestErrors(() => parseMlflowTree(files.map((f) => ({ path: f.path, bytes: enc.encode(f.text) })), 'tree'));
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(REAL_LOGS_DIR === null)('JSON-family parsers on mutated real logs throw only IngestError', () => {
  for (const [file, parser] of [
    ['023_hf_trainer_state.json', hfTrainerStateParser],
    ['039_keras_history.json', kerasHistoryParser],
    ['052_keras_history.json', kerasHistoryParser],
    ['045_json_epoch_records.json', jsonRecordsParser],
  ] as const) {
    it(file, () => {
      const text = readFileSync(path.join(REAL_LOGS_DIR!, file), 'utf8');
      fc.assert(
        fc.property(mutation(text.length), (edits) => {
          const mutated = mutate(text, edits);
          for (const p of PARSERS) onlyIngestErrors(() => p.sniff(mutated));
          onlyIngestErrors(() => parser.parse(mutated, file));
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('sniffers do not overlap on the JSON family', () => {
  const samples: Record<string, string> = {
    hf: '{\n  "best_metric": null,\n  "global_step": 2,\n  "log_history": [\n    {"loss": 1, "step": 1}\n  ]\n}',
    keras: '{"loss": [1, 0.5], "val_loss": [1.1, 0.7]}',
    records: '[{"epoch": 1, "loss": 1}, {"epoch": 2, "loss": 0.5}]',
    jsonl: '{"iter": 1, "loss": 1}\n{"iter": 2, "loss": 0.5}\n',
  };
  it.each(Object.entries(samples))('%s is claimed by its own parser only', (name, text) => {
    const claimed = PARSERS.filter((p) => p.sniff(text)).map((p) => (p === jsonRecordsParser ? 'records' : p === jsonlParser ? 'jsonl' : p === kerasHistoryParser ? 'keras' : 'hf'));
    expect(claimed).toEqual([name]);
  });
});
