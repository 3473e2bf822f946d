/**
 * The diagnostic engine: a run's curves (and what else is known about it) → a checklist verdict with evidence and
 * fixes. Pure: no I/O, no clock. Rules live one per file in rules/, shared signal processing in signals/.
 */
import type { Series } from '../domain/run.ts';
import { epochSpan } from '../domain/epochs.ts';
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
  /** Taken from the run when known (the store's tally covers series the engine may be given only part of); counted from the series otherwise. */
  points?: number;
  epochs?: number | null;
  firstEpoch?: number | null;
}

const SEVERITY: Record<ItemStatus, number> = { fail: 3, warn: 2, pass: 1, unknown: 0 };

export function diagnose(run: DiagnoseRunInput, context: DiagnoseContext = {}): Verdict {
  const items = tellOneStory(judgeEach(run.series, context));
  return {
    run: { id: run.id, name: run.name, format: run.format, points: run.points ?? countPoints(run.series), ...epochsOf(run) },
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

/** The run's epoch count and first epoch: the store's when given, else read from the series (src/domain/epochs.ts). */
function epochsOf(run: DiagnoseRunInput): { epochs: number | null; firstEpoch: number | null } {
  if (run.epochs === null) return { epochs: null, firstEpoch: null };
  if (run.epochs !== undefined && run.firstEpoch !== undefined) return { epochs: run.epochs, firstEpoch: run.firstEpoch };
  const span = epochSpan(run.series);
  return { epochs: run.epochs ?? span?.count ?? null, firstEpoch: span?.first ?? null };
}
