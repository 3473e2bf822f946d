/**
 * Runs the engine's rules and returns one item by id as its rule judged it (failing the test loudly when it is
 * missing). Rule tests look at the rule's own judgement; `verdictItem` gives the item as the verdict shows it, after
 * one finding may have explained another (src/diagnose/story.ts).
 */
import { diagnose, judgeEach, type DiagnoseRunInput } from '../../src/diagnose/index.ts';
import type { DiagnoseContext } from '../../src/domain/context.ts';
import type { VerdictItem } from '../../src/domain/verdict.ts';

export function itemFor(run: DiagnoseRunInput, id: string, context?: DiagnoseContext): VerdictItem {
  const item = judgeEach(run.series, context).find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id} in the verdict`);
  return item;
}

export function verdictItem(run: DiagnoseRunInput, id: string, context?: DiagnoseContext): VerdictItem {
  const item = diagnose(run, context).items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id} in the verdict`);
  return item;
}

export const flagged = (item: VerdictItem): boolean => item.status === 'fail' || item.status === 'warn';
