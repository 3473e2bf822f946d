/** The preset jobs and their defaults; options and faults are layered on top (see resolveJobConfig). */
import type { DatasetName } from './dataset.ts';
import type { PresetJobConfig, PresetName, Faults, TrainingSettings } from './job-config.ts';
import { parseJobConfig } from './job-config.ts';

export interface Preset {
  name: PresetName;
  dataset: DatasetName;
  architecture: 'cnn' | 'mlp';
  description: string;
  defaults: TrainingSettings;
}

const base = {
  optimizer: 'adam',
  learningRate: 1e-3,
  batchSize: 32,
  epochs: 5,
  shuffle: true,
  validationSplit: 0.2,
  earlyStopping: null,
  dropout: 0,
  batchNorm: false,
  activation: 'relu',
  pooling: 'max',
  kernelSize: 3,
  l2: 0,
  augment: null,
  hiddenUnits: 64,
  seed: 42,
  limit: null,
} as const satisfies Preset['defaults'];

export const PRESETS: Record<PresetName, Preset> = {
  'seed-cnn': {
    name: 'seed-cnn',
    dataset: 'mnist',
    architecture: 'cnn',
    description: 'Conv2D 32 3×3 → MaxPool 2 → Conv2D 64 3×3 → MaxPool 2 → Dense 10 softmax on 10,000 MNIST digits',
    defaults: { ...base },
  },
  'mnist-mlp': {
    name: 'mnist-mlp',
    dataset: 'mnist',
    architecture: 'mlp',
    description: 'Dense 128 → Dense 10 softmax on 10,000 MNIST digits',
    defaults: { ...base, hiddenUnits: 128 },
  },
  'iris-mlp': {
    name: 'iris-mlp',
    dataset: 'iris',
    architecture: 'mlp',
    description: 'Dense 16 → Dense 3 softmax on the 150 Iris flowers',
    defaults: { ...base, hiddenUnits: 16, batchSize: 16, epochs: 50, learningRate: 1e-2 },
  },
  blobs: {
    name: 'blobs',
    dataset: 'blobs',
    architecture: 'mlp',
    description: 'Dense 16 → Dense 3 softmax on three Gaussian blobs',
    defaults: { ...base, hiddenUnits: 16, epochs: 20, learningRate: 1e-2 },
  },
  circles: {
    name: 'circles',
    dataset: 'circles',
    architecture: 'mlp',
    description: 'Dense 32 → Dense 2 softmax on two concentric circles',
    defaults: { ...base, hiddenUnits: 32, epochs: 30, learningRate: 1e-2 },
  },
  spirals: {
    name: 'spirals',
    dataset: 'spirals',
    architecture: 'mlp',
    description: 'Dense 64 → Dense 64 → Dense 3 softmax on three interleaved spirals',
    defaults: { ...base, hiddenUnits: 64, epochs: 60, learningRate: 1e-2 },
  },
};

/** A preset's defaults with `options` and `faults` applied, validated. */
export function resolveJobConfig(preset: PresetName, options: Partial<TrainingSettings> = {}, faults: Faults = {}): PresetJobConfig {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset "${String(preset)}"`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return parseJobConfig({ preset, ...p.defaults, ...defined, faults }) as PresetJobConfig;
}

/**
 * A custom job's defaults: the presets' common ones (Adam 1e-3, batch 32, 5 epochs, a 0.2 validation split); the
 * architecture settings stay at these values and are ignored (see CUSTOM_IGNORED_SETTINGS).
 */
export const CUSTOM_DEFAULTS: TrainingSettings = { ...base };
