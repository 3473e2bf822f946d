/** Runs the engine and returns one item by id (failing the test loudly when it is missing). */
import { diagnose, type DiagnoseRunInput } from '../../src/diagnose/index.ts';
import type { DiagnoseContext } from '../../src/domain/context.ts';
import type { VerdictItem } from '../../src/domain/verdict.ts';

export function itemFor(run: DiagnoseRunInput, id: string, context?: DiagnoseContext): VerdictItem {
  const item = diagnose(run, context).items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id} in the verdict`);
  return item;
}

export const flagged = (item: VerdictItem): boolean => item.status === 'fail' || item.status === 'warn';
