import { describe, it, expect, beforeAll } from 'vitest';
import { loadBackend } from '../../src/jobs/backend.ts';
import { PRESET_NAMES } from '../../src/jobs/job-config.ts';
import type { Faults, JobConfig, PresetName } from '../../src/jobs/job-config.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import { prepareData } from '../../src/jobs/prepare-data.ts';
import { trainModel, type TrainResult } from '../../src/jobs/train-model.ts';
import type { Series } from '../../src/domain/run.ts';
import { diagnose } from '../../src/diagnose/index.ts';
import { seriesNamed } from '../support/ingest-helpers.ts';

let backend = 'cpu';
beforeAll(async () => {
  backend = (await loadBackend()).name;
});

function train(preset: PresetName, options: Partial<JobConfig> = {}, faults: Faults = {}): Promise<TrainResult> {
  const config = resolveJobConfig(preset, { epochs: 1, ...options }, faults);
  return trainModel(config, prepareData(config), backend);
}

const find = (r: TrainResult, name: string): Series => {
  const s = r.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name}`);
  return s;
};

describe('presets', () => {
  for (const preset of PRESET_NAMES) {
    it(`${preset} trains one epoch on a small slice and reports every instrument`, async () => {
      const small = preset === 'seed-cnn' || preset === 'mnist-mlp' ? 200 : 120;
      const r = await train(preset, { limit: small, batchSize: 16 });
      const trainSize = Math.round(small * 0.8);
      expect(r.meta.trainSize).toBe(trainSize);
      expect(r.meta.backend).toBe(backend);
      const steps = find(r, 'batch_loss');
      expect(steps.cadence).toBe('step');
      expect(steps.values.length).toBe(Math.ceil(trainSize / 16));
      expect([...steps.values].every(Number.isFinite)).toBe(true);
      expect(find(r, 'val_loss').values.length).toBe(1);
      const inst = r.context.instrumentation!;
      const layers = Object.keys(inst.gradNorms!);
      expect(layers.at(-1)).toBe('out');
      for (const l of layers) expect(inst.gradNorms![l]![0]!).toBeGreaterThan(0);
      expect(inst.updateRatio![0]!).toBeGreaterThan(0);
      expect(Object.keys(inst.deadReluFraction!).length).toBeGreaterThan(0);
      expect(inst.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(small - trainSize);
      expect(r.context.classes).toBe(preset.includes('mnist') || preset === 'seed-cnn' ? 10 : preset === 'circles' ? 2 : 3);
      // The first batch of an untrained softmax classifier sits near ln K.
      expect(r.meta.initialLoss / r.meta.lnK).toBeGreaterThan(0.5);
      expect(r.meta.initialLoss / r.meta.lnK).toBeLessThan(2);
    });
  }

  it('seed-cnn has the seed notebook architecture', async () => {
    const r = await train('seed-cnn', { limit: 40 });
    expect(r.context.model!.layers!.map((l) => [l.name, l.kind, l.activation, l.params])).toEqual([
      ['conv1', 'conv2d', 'relu', 3 * 3 * 32 + 32],
      ['conv2', 'conv2d', 'relu', 3 * 3 * 32 * 64 + 64],
      ['out', 'dense', 'softmax', 7 * 7 * 64 * 10 + 10],
    ]);
  });

  it('is deterministic for a seed', async () => {
    const a = await train('blobs', { limit: 100, epochs: 2 });
    const b = await train('blobs', { limit: 100, epochs: 2 });
    expect([...find(a, 'batch_loss').values]).toEqual([...find(b, 'batch_loss').values]);
  });
});

describe('options', () => {
  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    // A learning rate this high makes validation loss bounce, so early stopping has something to react to.
    const r = await train('blobs', { limit: 200, epochs: 30, learningRate: 0.5, optimizer: 'sgd', earlyStopping: { patience: 2, restoreBestWeights: true } });
    expect(r.meta.stoppedEarly).toBe(true);
    expect(r.meta.epochsRun).toBe(r.meta.bestEpoch! + 2);
    expect(r.notes.join(' ')).toContain(`restored the weights of epoch ${r.meta.bestEpoch}`);
  });

  it('trains with dropout, batch norm, tanh, average pooling, L2, augmentation and every optimizer', async () => {
    for (const optimizer of ['sgd', 'momentum', 'rmsprop'] as const) {
      const r = await train('iris-mlp', { optimizer, dropout: 0.3, batchNorm: true, activation: 'tanh', l2: 1e-3 });
      expect(Number.isFinite(find(r, 'loss').values[0]!)).toBe(true);
      expect(Object.keys(r.context.instrumentation!.saturatedFraction!)).toEqual(['dense1_tanh']);
    }
    const cnn = await train('seed-cnn', { limit: 40, pooling: 'avg', activation: 'leakyRelu', augment: { flip: true, rotation: 0.2, zoom: 0.1 } });
    expect(Number.isFinite(find(cnn, 'loss').values[0]!)).toBe(true);
  });
});

describe('faults produce their symptoms', () => {
  it('sorted labels with shuffle off: a per-epoch sawtooth in the step loss, and the engine flags it', async () => {
    const r = await train('blobs', { limit: 600, epochs: 4, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' }, { sortedLabels: true });
    expect(r.context.config!.shuffle).toBe(false);
    const loss = [...find(r, 'batch_loss').values];
    const perEpoch = loss.length / 4;
    // Within each epoch the loss jumps when the class changes: the first batch of a new class is far above the last of the old.
    let jumps = 0;
    for (let i = 1; i < loss.length; i++) if (i % perEpoch !== 0 && loss[i]! > 3 * loss[i - 1]!) jumps++;
    expect(jumps).toBeGreaterThanOrEqual(4);
    const v = diagnose({ id: 'x', name: 'x', format: 'tfjs_job', series: r.series }, r.context);
    expect(v.items.find((i) => i.id === 'unshuffled_data')!.status).toBe('fail');
  });

  it('unnormalised inputs: the input range reaches 255', async () => {
    const r = await train('mnist-mlp', { limit: 60 }, { unnormalized: true });
    expect(r.context.dataset!.inputMax).toBe(255);
  });

  it('label noise: the training labels disagree with the truth and likely label errors are counted', async () => {
    const clean = await train('blobs', { limit: 600, epochs: 8, learningRate: 0.05 });
    const noisy = await train('blobs', { limit: 600, epochs: 8, learningRate: 0.05 }, { labelNoise: 0.4 });
    expect(noisy.notes.join(' ')).toMatch(/192 of 480 training labels/);
    expect(noisy.context.dataset!.likelyLabelErrors!).toBeGreaterThan(clean.context.dataset!.likelyLabelErrors! + 50);
  });

  it('clean labels on a model still learning: its contradictions match its validation error rate, and label_noise passes', async () => {
    const r = await train('mnist-mlp', { limit: 1000, epochs: 1, batchSize: 32 });
    const note = r.notes.find((n) => n.startsWith('label errors:'))!;
    const [, flagged, of, trainPct] = /contradicts (\d+) of (\d+) training labels \(([\d.]+) %\)/.exec(note)!;
    // Before the validation rate was taken into account these alone were the count: a warning on clean data.
    expect(Number(trainPct)).toBeGreaterThan(3);
    expect(Number(flagged)).toBeGreaterThan(0);
    expect(Number(of)).toBe(800);
    const v = diagnose({ id: 'x', name: 'x', format: 'tfjs_job', series: r.series }, r.context);
    expect(v.items.find((i) => i.id === 'label_noise')!.status).toBe('pass');
  });

  it('batch norm: a short CNN job validates on settled moving statistics (momentum 0.9)', async () => {
    const r = await train('seed-cnn', { limit: 1000, epochs: 2, batchSize: 32, batchNorm: true });
    const acc = seriesNamed(r, 'accuracy').values;
    const valAcc = seriesNamed(r, 'val_accuracy').values;
    expect(acc.at(-1)!).toBeGreaterThan(0.8);
    // With Keras' 0.99 the moving statistics lag ~100 steps behind and validation read ~0.2 here.
    expect(valAcc.at(-1)!).toBeGreaterThan(acc.at(-1)! - 0.15);
    // Two epochs of a CNN on 1,000 digits take 19–25 s alone on wasm; on a loaded two-core machine they passed 30 s.
  }, 90_000);

  it('class imbalance: counts fall to 1/ratio', async () => {
    const r = await train('blobs', { limit: 600 }, { classImbalance: 10 });
    const counts = Object.values(r.context.dataset!.classCounts!);
    expect(Math.max(...counts) / Math.min(...counts)).toBeGreaterThan(8);
  });

  it('tiny training set and no validation', async () => {
    const r = await train('blobs', { limit: 600 }, { tinyTrain: 3, noValidation: true });
    expect(r.context.dataset!.trainSize).toBe(9);
    expect(r.series.some((s) => s.split === 'val')).toBe(false);
    expect(r.context.config!.validationSplit).toBe(0);
  });

  it('dying-ReLU initialisation: the probe finds the hidden units dead', async () => {
    const r = await train('mnist-mlp', { limit: 100 }, { dyingRelu: true });
    expect(r.context.instrumentation!.deadReluFraction!.dense1_relu![0]!).toBeGreaterThan(0.9);
  });

  it('deep sigmoid stack: the first layer gets far smaller gradients than the last', async () => {
    const r = await train('blobs', { limit: 200 }, { deepSigmoid: true });
    const g = r.context.instrumentation!.gradNorms!;
    expect(Object.keys(g).filter((k) => k.startsWith('dense')).length).toBe(8);
    expect(g.dense1![0]! * 20).toBeLessThan(g.out![0]!);
  });

  it('exploding initialisation: a first loss far above ln K and a first gradient far above normal', async () => {
    const fine = await train('mnist-mlp', { limit: 100 });
    const r = await train('mnist-mlp', { limit: 100 }, { explodingInit: true });
    expect(r.meta.initialLoss).toBeGreaterThan(3 * r.meta.lnK);
    expect(find(r, 'grad_norm').values[0]!).toBeGreaterThan(3 * find(fine, 'grad_norm').values[0]!);
    const v = diagnose({ id: 'x', name: 'x', format: 'tfjs_job', series: r.series }, r.context);
    expect(v.items.find((i) => i.id === 'bad_initial_loss')!.status).toBe('fail');
  });

  it('loss/activation mismatch: the output layer is linear under a probability loss', async () => {
    const r = await train('blobs', { limit: 100 }, { lossMismatch: true });
    expect(r.context.model!.outputActivation).toBe('linear');
    expect(r.context.model!.loss).toBe('categorical_crossentropy');
  });
});

describe('augmentImages', () => {
  const img = Float32Array.from({ length: 2 * 4 * 5 }, (_, i) => i);
  const shape: [number, number, number, number] = [2, 4, 5, 1];
  it('is the identity with nothing switched on', async () => {
    const { augmentImages } = await import('../../src/jobs/train-model.ts');
    const { createRng } = await import('../../src/jobs/rng.ts');
    const out = augmentImages(img, shape, { flip: false, rotation: 0, zoom: 0 }, createRng(1));
    for (let i = 0; i < img.length; i++) expect(out[i]!).toBeCloseTo(img[i]!, 4);
  });
  it('mirrors some images left-right when flipping', async () => {
    const { augmentImages } = await import('../../src/jobs/train-model.ts');
    const { createRng } = await import('../../src/jobs/rng.ts');
    const many = Float32Array.from({ length: 20 * 4 * 5 }, (_, i) => i % 20);
    const out = augmentImages(many, [20, 4, 5, 1], { flip: true, rotation: 0, zoom: 0 }, createRng(3));
    let flipped = 0;
    for (let b = 0; b < 20; b++) {
      const row = Array.from(out.subarray(b * 20, b * 20 + 5)).map((v) => Math.round(v));
      if (row.join() === '4,3,2,1,0') flipped++;
      else expect(row).toEqual([0, 1, 2, 3, 4]);
    }
    expect(flipped).toBeGreaterThan(3);
    expect(flipped).toBeLessThan(17);
  });
});
