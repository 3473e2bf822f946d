/**
 * The diagnostic engine: a run's curves (and what else is known about it) → a checklist verdict with evidence and
 * fixes. Pure: no I/O, no clock. Rules live one per file in rules/, shared signal processing in signals/.
 */
import type { Series } from '../domain/run.ts';
import type { DiagnoseContext } from '../domain/context.ts';
import type { ItemStatus, Verdict, VerdictItem, VerdictStatus } from '../domain/verdict.ts';
import { buildView } from './signals/view.ts';
import { RULES } from './rules/index.ts';
import { itemOf } from './rules/rule.ts';
import { tellOneStory } from './story.ts';

export interface DiagnoseRunInput {
  id: string;
  name: string;
  format: string;
  series: Series[];
  /** Taken from the run when known; counted from the series otherwise. */
  points?: number;
  epochs?: number | null;
}

const SEVERITY: Record<ItemStatus, number> = { fail: 3, warn: 2, pass: 1, unknown: 0 };

export function diagnose(run: DiagnoseRunInput, context: DiagnoseContext = {}): Verdict {
  const items = tellOneStory(judgeEach(run.series, context));
  return {
    run: { id: run.id, name: run.name, format: run.format, points: run.points ?? countPoints(run.series), epochs: run.epochs !== undefined ? run.epochs : countEpochs(run.series) },
    status: worstStatus(items),
    items,
  };
}

/** Every rule's own judgement, before one finding may explain another (tellOneStory): what rule tests look at. */
export function judgeEach(series: Series[], context: DiagnoseContext = {}): VerdictItem[] {
  const view = buildView(series);
  return RULES.map((rule) => {
    try {
      return rule.check({ view, context });
    } catch (e) {
      // A rule bug must not take the whole verdict down; the item says so instead of guessing.
      return itemOf(rule, 'unknown', `Check could not run: ${(e as Error).message}`, 'Report this run to the runmedic maintainers.', { internalError: true });
    }
  });
}

export function worstStatus(items: VerdictItem[]): VerdictStatus {
  let worst = 0;
  for (const it of items) worst = Math.max(worst, SEVERITY[it.status]);
  return worst === 3 ? 'fail' : worst === 2 ? 'warn' : 'pass';
}

function countPoints(series: Series[]): number {
  let n = 0;
  for (const s of series) n += s.values.length;
  return n;
}

/** The number of epochs the run covers, from epoch numbers or epoch-cadence steps; null when unknown. */
function countEpochs(series: Series[]): number | null {
  let max = -Infinity;
  let zeroBased = false;
  for (const s of series) {
    const e = s.epochs ?? (s.cadence === 'epoch' ? s.steps : null);
    if (!e) continue;
    for (let i = 0; i < e.length; i++) {
      const v = e[i];
      if (!Number.isFinite(v)) continue;
      if (v === 0) zeroBased = true;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(max)) return null;
  // 0-based (Keras) epochs 0…29 are 30 epochs, and so are fractional step-level epochs 0…29.97; 1-based or
  // progress-style epochs (HF's 38.17 = 39 epochs touched) round up.
  return zeroBased ? Math.floor(max) + 1 : Math.ceil(max - 1e-9);
}
