/**
 * Real-shaped synthetic training runs for engine tests: curves given as functions of the (fractional) epoch,
 * multiplied by a scale (a 1e-4 MSE or a 25-nat LM loss) with multiplicative, seeded noise per step.
 */
import type { Series, Split, Direction, Cadence } from '../../src/domain/run.ts';
import type { DiagnoseRunInput } from '../../src/diagnose/index.ts';
import { seededRng, type Rng } from './seeded-rng.ts';

export type Shape = (epoch: number) => number;

export interface RunSpec {
  name?: string;
  seed?: number;
  /** Multiplies loss shapes (not accuracies). */
  scale?: number;
  epochs?: number;
  /** Training-loss points per epoch; 1 = epoch-level (Keras CSV style). */
  stepsPerEpoch?: number;
  train?: Shape;
  val?: Shape;
  trainAcc?: Shape;
  valAcc?: Shape;
  lr?: Shape;
  /** Relative noise σ of one training-loss point (default 0.15 step-level, 0.01 epoch-level) and of validation. */
  trainNoise?: number;
  valNoise?: number;
  /** Extra series, added as they are. */
  extra?: Series[];
}

export function makeSeries(name: string, key: string, split: Split, cadence: Cadence, steps: number[], epochs: number[] | null, values: number[], direction: Direction = key === 'accuracy' ? 'higher' : 'lower'): Series {
  return {
    key,
    split,
    name,
    direction,
    cadence,
    steps: Float64Array.from(steps),
    epochs: epochs ? Float64Array.from(epochs) : null,
    wallTimes: null,
    values: Float64Array.from(values),
  };
}

function noisy(rng: Rng, v: number, sigma: number): number {
  return v * Math.exp(sigma * rng.gauss());
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

export function makeRun(spec: RunSpec): DiagnoseRunInput {
  const rng = seededRng(spec.seed ?? 1);
  const scale = spec.scale ?? 1;
  const epochs = spec.epochs ?? 30;
  const spe = spec.stepsPerEpoch ?? 1;
  const stepLevel = spe > 1;
  const tn = spec.trainNoise ?? (stepLevel ? 0.15 : 0.01);
  const vn = spec.valNoise ?? 0.01;
  const series: Series[] = [];
  if (spec.train) {
    const steps: number[] = [];
    const ep: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < epochs * spe; i++) {
      const e = stepLevel ? i / spe : i;
      steps.push(stepLevel ? i + 1 : i);
      ep.push(e);
      vals.push(noisy(rng, scale * spec.train(e), tn));
    }
    series.push(makeSeries('loss', 'loss', 'train', stepLevel ? 'step' : 'epoch', steps, ep, vals));
  }
  const epochSteps = Array.from({ length: epochs }, (_, e) => (stepLevel ? (e + 1) * spe : e));
  const epochNums = Array.from({ length: epochs }, (_, e) => e);
  if (spec.val) series.push(makeSeries('val_loss', 'loss', 'val', 'epoch', epochSteps, epochNums, epochNums.map((e) => noisy(rng, scale * spec.val!(e), vn))));
  if (spec.trainAcc) series.push(makeSeries('accuracy', 'accuracy', 'train', 'epoch', epochSteps, epochNums, epochNums.map((e) => clamp01(spec.trainAcc!(e) + 0.003 * rng.gauss()))));
  if (spec.valAcc) series.push(makeSeries('val_accuracy', 'accuracy', 'val', 'epoch', epochSteps, epochNums, epochNums.map((e) => clamp01(spec.valAcc!(e) + 0.003 * rng.gauss()))));
  if (spec.lr) series.push(makeSeries('lr', 'lr', 'train', 'epoch', epochSteps, epochNums, epochNums.map((e) => spec.lr!(e))));
  if (spec.extra) series.push(...spec.extra);
  return { id: spec.name ?? 'synthetic', name: spec.name ?? 'synthetic', format: 'keras_csv', series };
}

/** Exponential approach from `start` to `floor` with time constant `tau` epochs. */
export function decay(start: number, floor: number, tau: number): Shape {
  return (e) => floor + (start - floor) * Math.exp(-e / tau);
}

/** A validation curve that falls like `decay` until `turn`, then rises linearly by `risePerEpoch` (relative). */
export function turnsUp(start: number, floor: number, tau: number, turn: number, risePerEpoch: number): Shape {
  const d = decay(start, floor, tau);
  return (e) => (e <= turn ? d(e) : d(turn) * (1 + risePerEpoch * (e - turn)));
}

/** Two scales every loss-shape rule is tested at: an MSE near 1e-4 and an LM loss near 25. */
export const SCALES = [1e-4, 25] as const;

export interface FamilyAxes {
  scales?: readonly number[];
  epochs?: readonly number[];
  noises?: readonly number[];
  seeds?: readonly number[];
}

export interface FamilyMember {
  scale: number;
  epochs: number;
  noise: number;
  seed: number;
  /** "scale 1e-4, 30 epochs, noise 0.02, seed 2" for test names and failure messages. */
  label: string;
}

/**
 * Every combination of the axes: a rule is tested on a family that spans the phenomenon (or its look-alike) at
 * several scales, lengths and noise levels, not on one hand-picked run.
 */
export function family(axes: FamilyAxes = {}): FamilyMember[] {
  const out: FamilyMember[] = [];
  for (const scale of axes.scales ?? SCALES)
    for (const epochs of axes.epochs ?? [10, 30, 100])
      for (const noise of axes.noises ?? [0.01])
        for (const seed of axes.seeds ?? [1, 2, 3])
          out.push({ scale, epochs, noise, seed, label: `scale ${scale}, ${epochs} epochs, noise ${noise}, seed ${seed}` });
  return out;
}
