/**
 * lr_too_high: the training loss went up from the very start (before making any progress), diverged, or made no
 * progress at the initial learning rate and fell as soon as the learning rate was cut.
 */
import type { Rule } from './rule.ts';
import { itemOf, unknownItem } from './rule.ts';
import type { Curve } from '../signals/view.ts';
import { indexAtStep } from '../signals/view.ts';
import { median } from '../signals/stats.ts';
import { findDivergence } from './divergence.ts';
import { findRisingStretch } from './train-loss-rising.ts';
import { fmt, meaningful, whenAt } from './shared.ts';
import { orderingExplainsLoss } from './unshuffled-data.ts';
import { perEpoch } from './oscillation.ts';
import { FAIL_FACTOR as BAD_INIT_FACTOR } from './bad-initial-loss.ts';
import type { RunView } from '../signals/view.ts';
import type { DiagnoseContext } from '../../domain/context.ts';

/** An lr change by at least this factor between two logged values is a cut. */
export const CUT_FACTOR = 2;
/** Before the cut the loss made less progress than this (log) — or than noise — … */
export const NO_PROGRESS_LOG = 0.05;
/** …and after it fell by at least this much (log, ≈ 20 %) within the next AFTER_SHARE of the run. */
export const DROP_AFTER_CUT_LOG = 0.2;
export const AFTER_SHARE = 0.25;
/** Update/weight ratio (instrumentation; healthy ≈ 1e-3): a median above these means steps too large for the weights. */
export const UPDATE_RATIO_WARN = 0.03;
export const UPDATE_RATIO_FAIL = 0.1;
/** The first phase covers at least this share of the run and this many points. */
export const MIN_PHASE_SHARE = 0.2;
export const MIN_PHASE_POINTS = 5;
/** A rise that starts within this share of the run, before any progress, is a rise "from the start". */
export const START_SHARE = 0.2;

/**
 * Thresholds, fitted on the corpus' tune split by `npm run corpus -- --fit` (bench/corpus/fit.ts); `falseAlarms` is this
 * rule's share of healthy tune runs flagged at these values.
 *
 * An early blow-up: within the first epoch (or the first BLOWUP_WINDOW_SHARE of the steps when epochs are unknown)
 * the per-batch loss reaches `blowupFactor`× its starting level (the first batch loss, or ln K when higher) on at
 * least `blowupMinPoints` batches — or the first epoch's mean loss does. A working first epoch ends below where it
 * started; several batches far above it mean the steps overshoot, which is what kills ReLUs and leaves a net at chance.
 *
 * Per epoch (a log without batch losses) the overshoot shows as an epoch whose loss is `epochRise` (log) above the
 * one before, in the first half of the run, in a run that ends less than `maxNetProgress` (log) below where it began.
 */
export const FIT = { blowupFactor: 4, blowupMinPoints: 3, epochRise: 0.233, maxNetProgress: 0.605, falseAlarms: 0.0025 };
export const BLOWUP_WINDOW_SHARE = 0.1;
/** After a blow-up the run counts as recovered when its final loss is this share (or less) of the starting level. */
export const RECOVERED_SHARE = 0.8;

export interface EarlyBlowUp {
  startLoss: number;
  chanceLoss: number | null;
  /** The first batch was below a classifier's floor ln 2 (no K given, an accuracy logged) and was read as that floor. */
  classifierFloor: boolean;
  firstEpochMean: number | null;
  peak: number;
  peakStep: number;
  peakEpoch: number | null;
  pointsAbove: number;
  windowPoints: number;
  /** Whether the window is the first epoch (epochs known) or the first BLOWUP_WINDOW_SHARE of the logged steps. */
  windowIsEpoch: boolean;
  /** Whether firstEpochMean is the first epoch's (an epoch-level series, or the window is that epoch) or the window's. */
  meanIsFirstEpoch: boolean;
  endLoss: number;
  recovered: boolean;
}

export function findEarlyBlowUp(view: RunView, context: DiagnoseContext): EarlyBlowUp | null {
  const c = view.trainLoss;
  // Not only log-scale curves: batches of 2 that a model gets exactly right score a loss of 0.0, which takes the curve
  // off the log scale but not the blow-up's comparison, which needs a loss ≥ 0 (checked in the pass below; tune split:
  // lr_too_high found 46 → 49, oscillation false positives 39 → 36).
  if (!c || c.cadence !== 'step' || c.direction !== 'lower') return null;
  const src = c.source;
  // Indices of the finite points, in one typed pass: copying a million-point series into JS arrays cost ~200 ms.
  const idx = new Int32Array(src.values.length);
  let count = 0;
  let negative = false;
  for (let i = 0; i < src.values.length; i++) {
    const v = src.values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < 0) negative = true;
    idx[count++] = i;
  }
  if (negative) return null;
  if (count < 2 * FIT.blowupMinPoints + 2) return null;
  const val = (j: number) => src.values[idx[j]];
  const epochOf = (j: number) => (src.epochs ? src.epochs[idx[j]] : NaN);
  const chance = context.classes && context.classes >= 2 ? Math.log(context.classes) : null;
  // A first batch already far above chance is a confidently wrong initialisation (bad_initial_loss): what follows it
  // is that start playing out, not steps overshooting from a sane one.
  if (chance !== null && val(0) >= BAD_INIT_FACTOR * chance) return null;
  // Without K, a run that logs an accuracy is a classifier: its loss at initialisation is ln K ≥ ln 2, so a first batch
  // far below that (one lucky batch of 2) is not the level the blow-up is measured from.
  const floor = chance ?? (view.all.some((x) => x.key === 'accuracy') ? Math.LN2 : 0);
  const start = Math.max(val(0), floor);
  if (!(start > 0)) return null;
  const e0 = epochOf(0);
  let end: number;
  let windowIsEpoch = false;
  if (Number.isFinite(e0)) {
    // Fractional step epochs (0.02 … 1.0) or integer epoch labels: the first epoch is everything up to one epoch on.
    const limit = Math.floor(e0) === e0 ? e0 : Math.floor(e0) + 1;
    end = 0;
    while (end < count && epochOf(end) <= limit + 1e-9) end++;
    windowIsEpoch = end < count * 0.5;
    if (!windowIsEpoch) end = Math.ceil(count * BLOWUP_WINDOW_SHARE);
  } else end = Math.ceil(count * BLOWUP_WINDOW_SHARE);
  end = Math.max(end, FIT.blowupMinPoints + 1);
  let above = 0;
  let peakI = 0;
  let sum = 0;
  for (let j = 0; j < end; j++) {
    const v = val(j);
    sum += v;
    if (v >= FIT.blowupFactor * start) above++;
    if (v > val(peakI)) peakI = j;
  }
  const epochLoss = view.all.find((x) => x.key === 'loss' && x.split === 'train' && x.cadence === 'epoch' && x !== c);
  // The first epoch's own mean when the log has the epoch-level loss, else the window's.
  const loggedFirstEpoch = epochLoss && epochLoss.source.values.length && Number.isFinite(epochLoss.source.values[0]) ? epochLoss.source.values[0]! : null;
  const firstEpochMean = loggedFirstEpoch ?? sum / end;
  if (above < FIT.blowupMinPoints && !(firstEpochMean >= FIT.blowupFactor * start)) return null;
  const k = Math.max(1, Math.floor(c.s.length * 0.1));
  const endLoss = median(Array.from(c.s.subarray(c.s.length - k)));
  return {
    startLoss: val(0),
    chanceLoss: chance,
    classifierFloor: chance === null && floor > val(0),
    firstEpochMean,
    peak: val(peakI),
    peakStep: src.steps[idx[peakI]],
    peakEpoch: Number.isFinite(epochOf(peakI)) ? epochOf(peakI) : null,
    pointsAbove: above,
    windowPoints: end,
    windowIsEpoch,
    meanIsFirstEpoch: windowIsEpoch || loggedFirstEpoch !== null,
    endLoss,
    recovered: endLoss <= RECOVERED_SHARE * start,
  };
}

interface CutFinding {
  cutStep: number;
  lrBefore: number;
  lrAfter: number;
  before: number;
  after: number;
}

function findUselessFirstPhase(loss: Curve, lr: Curve): CutFinding | null {
  const lv = lr.source;
  let cut = -1;
  for (let i = 1; i < lv.values.length; i++) {
    const a = lv.values[i - 1];
    const b = lv.values[i];
    if (a > 0 && b > 0 && a / b >= CUT_FACTOR) { cut = i; break; }
  }
  if (cut < 0) return null;
  // The row that first shows the new lr closes the period trained at it (epoch-end logging): the cut happened
  // right after the previous row.
  const cutStep = lv.steps[cut - 1];
  const k = indexAtStep(loss, cutStep);
  const n = loss.ts.length;
  // The first phase must be long enough to judge "no progress" (and leave room after the cut to see the drop).
  if (k < Math.max(MIN_PHASE_POINTS, Math.ceil(n * MIN_PHASE_SHARE)) || k > n - 3) return null;
  const start = median(Array.from(loss.ts.subarray(0, Math.min(3, k))));
  const beforeEnd = median(Array.from(loss.ts.subarray(Math.max(0, k - 3), k)));
  const afterEnd = indexAtStep(loss, cutStep + AFTER_SHARE * (loss.x[n - 1] - loss.x[0]));
  const after = median(Array.from(loss.ts.subarray(Math.min(n - 1, afterEnd - 2), Math.min(n, afterEnd + 1))));
  const progressBefore = start - beforeEnd;
  if (progressBefore > Math.max(NO_PROGRESS_LOG, meaningful(loss, 3))) return null;
  if (beforeEnd - after < DROP_AFTER_CUT_LOG) return null;
  return { cutStep, lrBefore: lv.values[cut - 1], lrAfter: lv.values[cut], before: loss.scale.fromBadness(beforeEnd), after: loss.scale.fromBadness(after) };
}

/** Per epoch: the largest epoch-over-epoch rise in the first half, in a run that ended close to where it began. */
function findEpochOvershoot(c: Curve): { rise: number; step: number; start: number; end: number } | null {
  if (!c.logScale) return null;
  const { v, step } = perEpoch(c);
  if (v.length < 4) return null;
  let rise = -Infinity;
  let at = 0;
  for (let i = 1; i < Math.max(2, Math.floor(v.length / 2)); i++) if (v[i]! - v[i - 1]! > rise) { rise = v[i]! - v[i - 1]!; at = i; }
  const k = Math.max(1, Math.floor(v.length * 0.1));
  const end = median(v.slice(v.length - k));
  if (rise < FIT.epochRise || v[0]! - end >= FIT.maxNetProgress) return null;
  return { rise, step: step[at]!, start: c.scale.fromBadness(v[0]!), end: c.scale.fromBadness(end) };
}

/** Where the run ended against where it started, said as it is: above it, level with it, or how far below. */
export function netProgressText(start: number, end: number): string {
  if (end > start * 1.02) return `above its start (${fmt(start)})`;
  if (end >= start * 0.98) return `level with its start (${fmt(start)})`;
  return `only ${Math.round((1 - end / start) * 100)} % below its start (${fmt(start)})`;
}

/**
 * Beyond this factor the suggestion stops being a number: a ratio that large is measured on weights that are already
 * blowing up, so "lower it 1281×" would be false precision; "100× or more" says the same without pretending.
 */
export const MAX_QUOTED_CUT = 100;

/** How far to cut the rate so the steps come near ten times the healthy size (the ratio scales with the rate). */
function cutText(ratio: number): string {
  const factor = Math.max(3, Math.round(ratio / 1e-3 / 10));
  return factor > MAX_QUOTED_CUT ? `by ${MAX_QUOTED_CUT}× or more (the steps are ${fmt(ratio / 1e-3)}× the healthy size)` : `about ${factor}×`;
}

/** Median of the finite per-epoch update/weight ratios, null when none. */
export function medianUpdateRatio(r: number[] | undefined): number | null {
  const f = (r ?? []).filter((v) => Number.isFinite(v) && v >= 0);
  return f.length ? median(f) : null;
}

export const lrTooHighRule: Rule = {
  id: 'lr_too_high',
  area: 'training',
  check({ view, context }) {
    const c = view.trainLoss;
    const lrValue = view.lr ? view.lr.y[0] : context.config?.learningRate;
    const ratio = medianUpdateRatio(context.instrumentation?.updateRatio);
    const ordering = orderingExplainsLoss(view, context);
    const blowUp = ordering ? null : findEarlyBlowUp(view, context);
    if (blowUp) {
      const chance = blowUp.chanceLoss !== null ? ` (ln ${context.classes} = ${fmt(blowUp.chanceLoss)})` : blowUp.classifierFloor ? ` (read as ln 2 = ${fmt(Math.LN2)}, where a classifier starts)` : '';
      const at = blowUp.peakEpoch !== null ? `step ${blowUp.peakStep}, epoch ${fmt(blowUp.peakEpoch)}` : `step ${blowUp.peakStep}`;
      // Without epochs (or with one epoch for most of the log) the window is the first stretch of steps: say so.
      const when = blowUp.windowIsEpoch ? 'in the first epoch' : `early (in the first ${Math.round(BLOWUP_WINDOW_SHARE * 100)} % of the logged steps)`;
      const mean = blowUp.firstEpochMean !== null ? `, ${blowUp.meanIsFirstEpoch ? 'first-epoch' : 'early'} mean ${fmt(blowUp.firstEpochMean)}` : '';
      const after = blowUp.recovered ? `; it came back to ${fmt(blowUp.endLoss)}` : `; it never got meaningfully below the start (ends at ${fmt(blowUp.endLoss)})`;
      const title = `The loss blew up ${when}: batch loss peaked at ${fmt(blowUp.peak)} (${at}) from a start of ${fmt(blowUp.startLoss)}${chance}${mean}${after}`;
      return itemOf(
        this,
        blowUp.recovered ? 'warn' : 'fail',
        title,
        blowUp.recovered
          ? `Lower the learning rate${lrValue !== undefined ? ` (now ${fmt(lrValue)})` : ''} or add warm-up: the first epoch overshot.`
          : `Lower the learning rate${lrValue !== undefined ? ` (now ${fmt(lrValue)})` : ''} by 10× or more (or add warm-up and gradient clipping): the first steps overshot, and dead units or a chance-level loss afterwards are effects of that.`,
        {
          learningRate: lrValue ?? null,
          firstBatchLoss: Number(blowUp.startLoss.toPrecision(4)),
          firstEpochMeanLoss: blowUp.firstEpochMean !== null ? Number(blowUp.firstEpochMean.toPrecision(4)) : null,
          chanceLoss: blowUp.chanceLoss !== null ? Number(blowUp.chanceLoss.toPrecision(4)) : null,
          peakLoss: Number(blowUp.peak.toPrecision(4)),
          peakStep: blowUp.peakStep,
          peakEpoch: blowUp.peakEpoch,
          batchesAbove: blowUp.pointsAbove,
          blowUpFactor: FIT.blowupFactor,
          lastLoss: Number(blowUp.endLoss.toPrecision(4)),
          updateRatioMedian: ratio !== null ? Number(ratio.toPrecision(3)) : null,
        },
        [{ series: c?.name ?? 'loss', step: blowUp.peakStep, label: 'loss blows up', kind: 'point', value: blowUp.peak }],
      );
    }
    // Steps that are large for weights initialised far too large are the initialisation's doing (bad_initial_loss):
    // lowering the rate would not fix them.
    const firstLoss = c ? Array.from(c.source.values.subarray(0, 8)).find(Number.isFinite) : undefined;
    const badStart = !!context.classes && context.classes >= 2 && firstLoss !== undefined && firstLoss >= BAD_INIT_FACTOR * Math.log(context.classes);
    if (ratio !== null && ratio >= UPDATE_RATIO_WARN && badStart) {
      return itemOf(this, 'pass', `Steps are large (${fmt(ratio)} of the weights), but the first loss is already far above chance: see bad_initial_loss`, '', { updateRatioMedian: Number(ratio.toPrecision(3)), deferredTo: 'bad_initial_loss' });
    }
    if (ratio !== null && ratio >= UPDATE_RATIO_WARN) {
      return itemOf(
        this,
        ratio >= UPDATE_RATIO_FAIL ? 'fail' : 'warn',
        `Each step changes the weights by ${fmt(ratio)} of their size (healthy ≈ 1e-3)`,
        `Lower the learning rate${lrValue !== undefined ? ` (now ${fmt(lrValue)})` : ''} ${cutText(ratio)}, or add warm-up.`,
        { updateRatioMedian: Number(ratio.toPrecision(3)), learningRate: lrValue ?? null },
      );
    }
    if (!c || c.ts.length < 8) return unknownItem(this, 'Not enough training loss to judge the learning rate', 'Log the training loss (and the learning rate) at least 8 times.');
    const nan = view.all.some((x) => x.key === 'loss' && x.nonFinite && x.nonFinite.finiteBefore === 0);
    const rising = findRisingStretch(c);
    // Rising before any meaningful progress, early in the run: the first steps already went uphill.
    const risingFromStart = rising !== null && rising.bestBefore >= c.ts[0] - meaningful(c, 3) && rising.from <= Math.ceil(c.ts.length * START_SHARE);
    const cut = c.logScale && view.lr ? findUselessFirstPhase(c, view.lr) : null;
    const div = findDivergence(c);
    if (cut) {
      return itemOf(
        this,
        'fail',
        `No progress at lr ${fmt(cut.lrBefore)} (loss ${fmt(cut.before)}); the loss fell to ${fmt(cut.after)} as soon as lr was cut to ${fmt(cut.lrAfter)}`,
        `Start at a learning rate near ${fmt(cut.lrAfter)} (or run a learning-rate range test); the first phase was wasted.`,
        { learningRateBefore: cut.lrBefore, learningRateAfter: cut.lrAfter, cutStep: cut.cutStep, lossBefore: Number(cut.before.toPrecision(4)), lossAfter: Number(cut.after.toPrecision(4)) },
        [{ series: c.name, step: cut.cutStep, label: 'lr cut: loss starts falling', kind: 'line' }],
      );
    }
    if (ordering && !nan && (risingFromStart || div)) {
      return itemOf(
        this,
        'pass',
        `The training loss rises, but the data order explains it (${ordering.shuffleOff ? 'shuffling is off' : 'per-epoch sawtooth'}): see unshuffled_data`,
        '',
        { learningRate: lrValue ?? null, deferredTo: 'unshuffled_data', shuffle: ordering.shuffleOff ? false : null, sawtooth: ordering.pattern?.found ?? null },
      );
    }
    if (risingFromStart || nan) {
      const from = rising ? whenAt(c, rising.from) : null;
      return itemOf(
        this,
        'fail',
        nan ? 'The loss is NaN from the first step' : 'The training loss goes up from the very start',
        `Lower the learning rate${lrValue !== undefined ? ` (now ${lrValue})` : ''} by 3–10×, add warm-up and gradient clipping.`,
        { learningRate: lrValue ?? null, risingFromStep: from?.step ?? null },
        from ? [{ series: c.name, step: from.step, toStep: whenAt(c, rising!.to).step, label: 'loss rising from the start', kind: 'band' }] : [],
      );
    }
    // The per-epoch overshoot reads a log that has only epoch means. With batch losses logged, an overshooting rate shows
    // in the first epoch's batches (the blow-up above); a step-level loss that did not blow up there but rose from one
    // epoch to the next is bouncing, oscillation's story (tune split: lr_too_high false positives 24 → 7 for one found
    // run, oscillation found 68 → 73, healthy false alarms unchanged).
    const bounce = div || c.cadence === 'step' ? null : findEpochOvershoot(c);
    if (bounce) {
      return itemOf(
        this,
        'warn',
        `The training loss went up ${fmt(Math.exp(bounce.rise))}× from one epoch to the next early on and ended at ${fmt(bounce.end)}, ${netProgressText(bounce.start, bounce.end)}`,
        `Lower the learning rate${lrValue !== undefined ? ` (now ${fmt(lrValue)})` : ''} 3–10× (or add warm-up): the steps overshoot and the run never settles.`,
        { learningRate: lrValue ?? null, riseFactor: Number(Math.exp(bounce.rise).toFixed(2)), startLoss: Number(bounce.start.toPrecision(4)), endLoss: Number(bounce.end.toPrecision(4)) },
        [{ series: c.name, step: Math.round(bounce.step), label: 'loss jumps up', kind: 'point' }],
      );
    }
    if (div) {
      return itemOf(
        this,
        'warn',
        'The training loss diverged after a good start: the learning rate is too high for the later phase',
        'Decay the learning rate (cosine or step schedule), add gradient clipping, or lower the peak learning rate.',
        { learningRate: lrValue ?? null },
        [],
      );
    }
    return itemOf(this, 'pass', 'No sign of a too-high learning rate', '', { learningRate: lrValue ?? null });
  },
};
