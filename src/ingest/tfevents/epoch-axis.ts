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

export function alignEpochAxis(series: Series[]): string[] {
  const longest = series.reduce<Series | null>((a, s) => (!a || s.steps.length > a.steps.length ? s : a), null);
  if (!longest || longest.steps.length < 2) return [];
  const perEpoch = series.filter((s) => s !== longest && !s.epochs && consecutiveFromZeroOrOne(s.steps));
  if (perEpoch.length === 0) return [];
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
