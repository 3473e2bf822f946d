/**
 * The epoch axis of a TensorBoard run that logs per-step values at the global step and per-epoch values at the epoch
 * number — what a hand-written PyTorch loop does with `SummaryWriter.add_scalar('Loss/val', v, epoch)` and what Keras'
 * callback does with `epoch_*` beside `batch_*`. Read as they are, both sit on one "step" axis: validation at epoch 5
 * lands beside training batch 5, and the step curve has no epochs to fold a per-epoch pattern on.
 *
 * When some series' steps are consecutive whole numbers from 0 or 1 (one point per epoch) and the longest series spans
 * at least MIN_STEPS_PER_EPOCH times as many steps, those series are per-epoch (epochs = their steps) and the step-level
 * series get fractional epochs in the same numbering (an epoch is the longest series' span divided evenly), so rules
 * compare them epoch by epoch. Pure; returns the notes to add.
 */
import type { Series } from '../../domain/run.ts';

/** A step series must hold this many steps per epoch-indexed point for the two axes to be told apart. */
export const MIN_STEPS_PER_EPOCH = 3;

function consecutiveFromZeroOrOne(steps: Float64Array): boolean {
  if (steps.length < 2 || (steps[0] !== 0 && steps[0] !== 1)) return false;
  for (let i = 1; i < steps.length; i++) if (steps[i] !== steps[i - 1]! + 1) return false;
  return true;
}

/** Epochs that only repeat the steps (a reader that knew the series was per-epoch but not the step axis). */
function epochsAreSteps(s: Series): boolean {
  const e = s.epochs;
  if (!e) return true;
  for (let i = 0; i < e.length; i++) if (e[i] !== s.steps[i]) return false;
  return true;
}

/**
 * The period of series logged at evenly spaced global steps P, 2P, 3P, … (a loop that evaluates at each epoch's end
 * at the global step): P steps per epoch. Null unless every such series agrees and P ≥ MIN_STEPS_PER_EPOCH.
 */
function epochEndPeriod(series: Series[], longest: Series): { period: number; marked: Series[] } | null {
  let period = NaN;
  const marked: Series[] = [];
  for (const s of series) {
    if (s === longest || s.epochs || s.steps.length < 3) continue;
    const p = s.steps[0]!;
    if (!(p >= MIN_STEPS_PER_EPOCH) || !Number.isInteger(p)) continue;
    let even = true;
    for (let i = 1; i < s.steps.length && even; i++) if (s.steps[i] !== p * (i + 1)) even = false;
    if (!even) continue;
    if (Number.isNaN(period)) period = p;
    else if (period !== p) return null;
    marked.push(s);
  }
  return marked.length && longest.steps.length >= MIN_STEPS_PER_EPOCH * marked[0]!.steps.length ? { period, marked } : null;
}

export function alignEpochAxis(series: Series[]): string[] {
  const longest = series.reduce<Series | null>((a, s) => (!a || s.steps.length > a.steps.length ? s : a), null);
  if (!longest || longest.steps.length < 2) return [];
  // Per-epoch candidates span far fewer steps than the longest series: a second step-level series (batch_accuracy
  // beside batch_loss) also counts 1, 2, 3, … but spans as many. Spans, not point counts: Keras' update_freq=k logs a
  // batch value every k steps, so 14 epochs of 16 batches give 28 batch points beside 14 epoch points.
  const spanOf = (s: Series) => s.steps[s.steps.length - 1]! - s.steps[0]! + 1;
  const perEpoch = series.filter((s) => s.steps.length < longest.steps.length && spanOf(s) * MIN_STEPS_PER_EPOCH <= spanOf(longest) && epochsAreSteps(s) && consecutiveFromZeroOrOne(s.steps));
  if (perEpoch.length === 0) {
    if (longest.epochs) return [];
    const ends = epochEndPeriod(series, longest);
    if (!ends) return [];
    // Global steps P, 2P, …: the per-epoch series end epochs 1, 2, …; a step st is (st / P) epochs in.
    for (const s of ends.marked) {
      s.cadence = 'epoch';
      s.epochs = s.steps.map((st) => st / ends.period);
    }
    for (const s of series) if (!s.epochs && s.steps.length > ends.marked[0]!.steps.length) s.epochs = s.steps.map((st) => st / ends.period);
    return [`${ends.marked.map((s) => s.name).join(', ')} logged every ${ends.period} steps from step ${ends.period}: read as once per epoch (${ends.period} steps per epoch)`];
  }
  const epochsLogged = Math.max(...perEpoch.map((s) => s.steps.length));
  const first = longest.steps[0]!;
  const last = longest.steps[longest.steps.length - 1]!;
  const gap = (last - first) / Math.max(1, longest.steps.length - 1);
  const span = last - first + gap;
  if (span < MIN_STEPS_PER_EPOCH * epochsLogged) return [];
  const firstEpoch = Math.min(...perEpoch.map((s) => s.steps[0]!));
  const stepsPerEpoch = span / epochsLogged;
  for (const s of perEpoch) {
    s.cadence = 'epoch';
    s.epochs = Float64Array.from(s.steps);
  }
  // Fractional progress in the per-epoch numbering: the last step of the first epoch reads `firstEpoch` (0-based: 0 is
  // the end of the first epoch, as Keras' epoch_loss at step 0 is), the first step a fraction before it.
  const stepSeries = series.filter((s) => !s.epochs && s.steps.length > epochsLogged);
  for (const s of stepSeries) s.epochs = s.steps.map((st) => (st - (first - gap)) / stepsPerEpoch + firstEpoch - 1);
  return [`${perEpoch.map((s) => s.name).join(', ')} logged at the epoch number, the rest at the global step: read on one epoch axis (${Math.round(stepsPerEpoch * 10) / 10} steps per epoch)`];
}
