/** What every rule is: one checklist question answered from the run's view and its context. */
import type { Area, ItemStatus, Mark, VerdictItem } from '../../domain/verdict.ts';
import type { DiagnoseContext } from '../../domain/context.ts';
import type { RunView } from '../signals/view.ts';

export interface RuleInput {
  view: RunView;
  context: DiagnoseContext;
}

export interface Rule {
  id: string;
  area: Area;
  check(input: RuleInput): VerdictItem;
}

/** Builds an item of rule `rule`; evidence and marks default to empty. */
export function itemOf(
  rule: Pick<Rule, 'id' | 'area'>,
  status: ItemStatus,
  title: string,
  fix: string,
  evidence: Record<string, unknown> = {},
  marks: Mark[] = [],
): VerdictItem {
  return { id: rule.id, area: rule.area, status, title, evidence, fix, marks };
}

/**
 * An `unknown` item that says which data would let the check run. The sentence is the fix (what to provide) and
 * nowhere else: a copy in the evidence was printed twice by every face.
 */
export function unknownItem(rule: Pick<Rule, 'id' | 'area'>, title: string, needed: string): VerdictItem {
  return itemOf(rule, 'unknown', title, needed, {});
}
