/**
 * A training job on a team's own model and data (issue 19): the uploaded files and the settings → the job's config,
 * shared by `runmedic train --model --data` and `/train model: data:`. What can be checked without TensorFlow.js is
 * checked here, before anything is queued: the model file reads as a model (a Keras to_json(), a TensorFlow.js
 * model.json, the declarative spec), its outputs' losses are ones a job trains with one classifier among them, and the settings and faults
 * apply to a model that is not a preset's. The data file is read in the job's child (it may be large); a problem
 * there fails the job with the file, the entry and what was expected.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { IngestError } from '../ingest/ingest-error.ts';
import { ARCHITECTURE_FAULTS, parseJobConfig, type CustomJobConfig, type Faults, type TrainingSettings } from '../jobs/job-config.ts';
import { CUSTOM_DEFAULTS } from '../jobs/presets.ts';
import { parseModelJson } from '../jobs/custom/model-json.ts';
import { trainingTopology } from '../jobs/custom/custom-model.ts';
import type { CustomInputs } from './custom-check.ts';

/** A setting or fault that does not apply to a team's own model; the faces turn it into a usage error. */
export class NotForCustomModel extends Error {}

/** Options of a preset's network that a custom model's file decides instead (option name as the faces show it). */
const PRESET_ONLY: Partial<Record<keyof TrainingSettings, string>> = {
  batchNorm: 'batch normalisation',
  activation: 'activation',
  pooling: 'pooling',
  kernelSize: 'kernel size',
  hiddenUnits: 'hidden units',
};

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Throws NotForCustomModel for a setting or fault that only a preset's network has (before any file is read). */
export function checkCustomSettings(settings: Partial<TrainingSettings>, faults: Faults): void {
  for (const [key, what] of Object.entries(PRESET_ONLY)) {
    if (settings[key as keyof TrainingSettings] !== undefined) throw new NotForCustomModel(`${what} shapes a preset's network; your model file decides its own layers`);
  }
  for (const f of ARCHITECTURE_FAULTS) {
    if (faults[f] !== undefined && faults[f] !== false) throw new NotForCustomModel(`the ${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} fault changes a preset's network; on your own model only the data faults apply`);
  }
}

export function customJobConfig(i: Omit<CustomInputs, 'backendOrder'>, settings: Partial<TrainingSettings> = {}, faults: Faults = {}): CustomJobConfig {
  checkCustomSettings(settings, faults);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(i.modelBytes);
  } catch {
    throw new IngestError({ file: i.modelName, reason: 'not UTF-8 text: expected a Keras model.to_json(), a TensorFlow.js model.json or a layer spec' });
  }
  // Read and rewritten as the job will (its refusals come now, not minutes later in the queue).
  const spec = parseModelJson(i.modelBytes, i.modelName);
  trainingTopology(spec.topology, i.modelName, { dropout: settings.dropout, training: spec.training });
  if (i.dataBytes.length === 0) throw new IngestError({ file: i.dataName, reason: 'empty file: expected a CSV with a label column, an .npy/.npz, or a zip of image folders' });
  if (i.dataBytes.length > i.maxBytes) throw new IngestError({ file: i.dataName, reason: `${i.dataBytes.length} bytes, over the limit of ${i.maxBytes} (INGEST_MAX_BYTES)` });
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  return parseJobConfig({
    preset: 'custom',
    custom: {
      model: { name: i.modelName, sha256: sha256(i.modelBytes), text },
      data: { name: i.dataName, sha256: sha256(i.dataBytes), bytes: i.dataBytes.length, maxBytes: i.maxBytes, gzipBase64: gzipSync(i.dataBytes).toString('base64') },
      labelColumn: i.labelColumn ?? null,
    },
    ...CUSTOM_DEFAULTS,
    ...defined,
    faults,
  }) as CustomJobConfig;
}

/** The config without the files' contents (their names and sha256 stay): what a run's meta and logs keep. */
export function withoutFileContents<T>(config: T): T {
  const c = config as { preset?: unknown; custom?: { model: { text: string }; data: { gzipBase64: string } } };
  if (c.preset !== 'custom' || !c.custom) return config;
  const { text: _t, ...model } = c.custom.model;
  const { gzipBase64: _g, ...data } = c.custom.data;
  return { ...c, custom: { ...c.custom, model, data } } as T;
}
