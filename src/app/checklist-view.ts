/**
 * A verdict arranged the way every face shows it (CLI checklist, /diagnose embed, alert, digest): problems first,
 * each led by its plain name and carrying the findings it explains ("↳ also explains what looks like: Plateau") folded under it
 * instead of listed as separate passes; then the passes and the items that could not be checked. Pure: it only
 * arranges what the engine said and never computes or rounds a number of its own, so every face states the same
 * epoch and values as the verdict JSON.
 */
import type { ItemStatus, Verdict, VerdictItem } from '../domain/verdict.ts';
import { itemName } from '../diagnose/item-names.ts';

export interface ProblemLine {
  item: VerdictItem;
  /** Plain name ("Overfitting"). */
  name: string;
  /** Findings this one explains (they pass with explainedBy = this item's id), in verdict order. */
  alsoExplains: VerdictItem[];
}

export interface ChecklistView {
  /** Failures, then warnings, in the engine's order within each. */
  problems: ProblemLine[];
  /** Passing items that no problem explains. */
  passed: VerdictItem[];
  /** Items that could not be checked from this data. */
  unknown: VerdictItem[];
}

export function checklistView(verdict: Pick<Verdict, 'items'>): ChecklistView {
  const problemItems = [...verdict.items.filter((i) => i.status === 'fail'), ...verdict.items.filter((i) => i.status === 'warn')];
  const problemIds = new Set(problemItems.map((i) => i.id));
  const folded = (i: VerdictItem) => i.status === 'pass' && i.explainedBy !== undefined && problemIds.has(i.explainedBy);
  return {
    problems: problemItems.map((item) => ({
      item,
      name: itemName(item.id),
      alsoExplains: verdict.items.filter((i) => folded(i) && i.explainedBy === item.id),
    })),
    passed: verdict.items.filter((i) => i.status === 'pass' && !folded(i)),
    unknown: verdict.items.filter((i) => i.status === 'unknown'),
  };
}

/** "↳ also explains what looks like: Divergence, Plateau", or '' when the item explains nothing. */
export function alsoExplainsText(line: Pick<ProblemLine, 'alsoExplains'>): string {
  return line.alsoExplains.length ? `↳ also explains what looks like: ${line.alsoExplains.map((i) => itemName(i.id)).join(', ')}` : '';
}

/** "Overfitting: val_loss bottomed at 0.41 at epoch 39 …": the name, then the engine's one-line finding. */
export function namedTitle(item: Pick<VerdictItem, 'id' | 'title'>): string {
  return `${itemName(item.id)}: ${item.title}`;
}

/**
 * The plain names of `items` joined for one line within `max` characters; what does not fit is counted
 * ("Noisy labels, Plateau, … +9"). Never an id wall.
 */
export function namesLine(items: Pick<VerdictItem, 'id'>[], max: number): string {
  const names = items.map((i) => itemName(i.id));
  let out = '';
  for (let k = 0; k < names.length; k++) {
    const next = out ? `${out}, ${names[k]}` : names[k]!;
    const tail = k + 1 < names.length ? `, … +${names.length - k - 1}` : '';
    if (next.length + tail.length > max && out) return `${out}, … +${names.length - k}`;
    out = next;
  }
  return out;
}

export const STATUS_ORDER: Record<ItemStatus, number> = { fail: 0, warn: 1, pass: 2, unknown: 3 };
