/**
 * What the published baseline rules see: per-epoch values of the main curves, raw (no smoothing, no downsampling
 * beyond averaging a step-level series per epoch, as Keras' epoch logs do). Shared by every baseline.
 */
import type { Series } from '../../src/domain/run.ts';

export interface EpochTable {
  loss: number[];
  valLoss: number[];
  acc: number[];
  valAcc: number[];
  /** Every loss value logged, at any cadence (TerminateOnNaN looks at batch losses). */
  allLosses: number[];
  /** Training loss aligned to each validation point: the mean of the training values logged since the previous one. */
  lossAtVal: number[];
  /** The training loss at the cadence it was logged (every step when step-level). */
  trainLossAsLogged: number[];
}

function pick(series: Series[], key: string, split: Series['split']): Series | undefined {
  return series.filter((s) => s.key === key && s.split === split).sort((a, b) => b.values.length - a.values.length)[0];
}

/** Epoch means of a series (by its epoch numbers when step-level), else its values as logged. */
function perEpoch(s: Series | undefined): number[] {
  if (!s) return [];
  if (s.cadence === 'epoch' || !s.epochs) return Array.from(s.values);
  const out: number[] = [];
  let key = NaN;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < s.values.length; i++) {
    const k = Math.floor(s.epochs[i] + 1e-9);
    if (k !== key && n) {
      out.push(sum / n);
      sum = 0;
      n = 0;
    }
    key = k;
    sum += s.values[i];
    n++;
  }
  if (n) out.push(sum / n);
  return out;
}

function alignTo(train: Series | undefined, val: Series | undefined): number[] {
  if (!train || !val) return [];
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < val.steps.length; i++) {
    let sum = 0;
    let n = 0;
    while (j < train.steps.length && train.steps[j] <= val.steps[i]) {
      sum += train.values[j];
      n++;
      j++;
    }
    out.push(n ? sum / n : out.length ? out[out.length - 1] : NaN);
  }
  return out;
}

export function epochTable(series: Series[]): EpochTable {
  return {
    lossAtVal: alignTo(pick(series, 'loss', 'train'), pick(series, 'loss', 'val')),
    loss: perEpoch(pick(series, 'loss', 'train')),
    valLoss: perEpoch(pick(series, 'loss', 'val')),
    acc: perEpoch(pick(series, 'accuracy', 'train')),
    valAcc: perEpoch(pick(series, 'accuracy', 'val')),
    allLosses: series.filter((s) => s.key === 'loss').flatMap((s) => Array.from(s.values)),
    trainLossAsLogged: Array.from(pick(series, 'loss', 'train')?.values ?? []),
  };
}

/**
 * A baseline: the engine item ids it would raise on a run (empty = it sees nothing wrong → healthy), and the ids it
 * can ever raise (`covers`), so it is compared with the engine on those labels only.
 */
export interface Baseline {
  name: string;
  covers: readonly string[];
  predict(table: EpochTable): Set<string>;
}
