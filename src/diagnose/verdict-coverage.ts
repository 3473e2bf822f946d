/**
 * How much of the checklist a verdict could answer. The contract's overall status is the worst item status, so a
 * run whose curves are too short for nearly every check comes out 'pass'; faces use this to say "too little data to
 * judge" instead of "no problem found" without changing the status or any id.
 */
import type { Verdict } from '../domain/verdict.ts';

/** The areas a run's own curves answer; data and architecture checks need dataset statistics or instrumentation. */
const CURVE_AREAS = new Set(['training', 'generalization', 'convergence']);

export interface VerdictCoverage {
  total: number;
  /** Items that could not run (status unknown), over all areas and over the curve areas. */
  unknown: number;
  curveChecks: number;
  curveUnknown: number;
  /**
   * A passing verdict where most of the checks on the run's own curves could not run: "no problem found" would
   * claim more than was looked at. Dataset/instrumentation items do not count, so a plain uploaded log is judged by
   * its curves.
   */
  tooLittleToJudge: boolean;
}

export function verdictCoverage(v: Verdict): VerdictCoverage {
  const curve = v.items.filter((i) => CURVE_AREAS.has(i.area));
  const curveUnknown = curve.filter((i) => i.status === 'unknown').length;
  const unknown = v.items.filter((i) => i.status === 'unknown').length;
  return {
    total: v.items.length,
    unknown,
    curveChecks: curve.length,
    curveUnknown,
    tooLittleToJudge: v.status === 'pass' && curveUnknown * 2 > curve.length,
  };
}

/** The one-line summary of a passing verdict: "no problem found", or why that cannot be said. */
export function passSummary(v: Verdict): string {
  const c = verdictCoverage(v);
  if (!c.tooLittleToJudge) return 'No problem found in the checks this log allows.';
  // "Log more points" is wrong advice for a 3,200-point log whose loss is called `hard_loss_metric`: nan_loss, which
  // reads every series keyed loss, says whether any was found.
  const noLoss = v.items.find((i) => i.id === 'nan_loss')?.status === 'unknown';
  return noLoss
    ? `Too little to judge: no series was read as a loss, so ${c.unknown} of ${c.total} checks could not run (name the loss \`loss\` or \`val_loss\`; the notes say how each name was read).`
    : `Too little data to judge: ${c.unknown} of ${c.total} checks could not run (log more points to get a verdict).`;
}
