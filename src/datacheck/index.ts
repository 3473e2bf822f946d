/**
 * The data checklist: a DataTable in, a report out: class balance, exact and near duplicates, train/validation
 * leakage, conflicting labels, input scale, examples per class and likely label errors (confident learning), with
 * the most suspicious examples. Pure (no clock, no I/O): the faces (runmedic datacheck, /datacheck) read the file
 * and draw the contact sheet.
 */
import type { DataTable } from './table.ts';
import { checkContext } from './context.ts';
import { STATUS_ORDER, plural, type DataCheckItem, type DataCheckStatus } from './item.ts';
import { classBalanceCheck } from './checks/class-balance.ts';
import { exactDuplicatesCheck } from './checks/exact-duplicates.ts';
import { nearDuplicatesCheck } from './checks/near-duplicates.ts';
import { leakageCheck } from './checks/leakage.ts';
import { labelConflictsCheck } from './checks/label-conflicts.ts';
import { normalisationCheck } from './checks/normalisation.ts';
import { tooLittleDataCheck } from './checks/too-little-data.ts';
import { labelErrorsCheck, type LabelErrorsOptions, type Suspect } from './checks/label-errors.ts';

export type { DataTable } from './table.ts';
export type { DataCheckItem, DataCheckStatus } from './item.ts';
export type { Suspect } from './checks/label-errors.ts';

export interface DataCheckReport {
  source: string;
  kind: DataTable['kind'];
  examples: number;
  trainSize: number;
  validationSize: number;
  classes: string[];
  inputShape: number[];
  /** What the reader did (label column, encodings, dropped rows). */
  notes: string[];
  /** The worst status of the items (unknown items do not count). */
  status: Exclude<DataCheckStatus, 'unknown'>;
  /** In checklist order: data first, then labels. */
  items: DataCheckItem[];
  /** The most suspicious examples of the label-error check. */
  suspects: Suspect[];
  /** How many examples the label-error check flagged in all. */
  flagged: number;
}

export interface DataCheckOptions {
  labelErrors?: LabelErrorsOptions;
  /** Skip the label-error check (its model training is the slow part). */
  skipLabelErrors?: boolean;
}

export function runDataCheck(t: DataTable, o: DataCheckOptions = {}): DataCheckReport {
  const c = checkContext(t);
  const items = [classBalanceCheck(t, c), tooLittleDataCheck(t, c), normalisationCheck(t, c), exactDuplicatesCheck(t, c), nearDuplicatesCheck(t, c), leakageCheck(t, c), labelConflictsCheck(t, c)];
  let suspects: Suspect[] = [];
  let flagged = 0;
  if (o.skipLabelErrors) {
    items.push({ id: 'label_noise', title: 'Label errors', status: 'unknown', summary: 'not checked (--no-label-errors)', fix: 'Run without --no-label-errors to cross-validate a small model and find likely label errors.', evidence: {} });
  } else {
    const le = labelErrorsCheck(t, o.labelErrors);
    items.push(le.item);
    suspects = le.suspects;
    flagged = le.flagged.length;
  }
  const worst = items.filter((i) => i.status !== 'unknown').reduce<DataCheckStatus>((w, i) => (STATUS_ORDER[i.status] < STATUS_ORDER[w] ? i.status : w), 'pass');
  return {
    source: t.source,
    kind: t.kind,
    examples: t.y.length,
    trainSize: c.train.length,
    validationSize: c.val.length,
    classes: t.classNames,
    inputShape: t.inputShape,
    notes: t.notes,
    status: worst as DataCheckReport['status'],
    items,
    suspects,
    flagged,
  };
}

export const STATUS_ICON: Record<DataCheckStatus, string> = { fail: '❌', warn: '⚠️', pass: '✅', unknown: '❔' };

/** The report as lines of text: the problems with their sentence, examples and fix, then the passes in one line. */
export function dataCheckText(r: DataCheckReport, o: { all?: boolean; suspects?: number } = {}): string[] {
  const problems = r.items.filter((i) => i.status === 'fail' || i.status === 'warn').sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  const passed = r.items.filter((i) => i.status === 'pass');
  const unknown = r.items.filter((i) => i.status === 'unknown');
  const shape = r.kind === 'images' ? `${r.inputShape.join('×')} images` : `${r.inputShape[0]} features`;
  const split = r.validationSize ? `${r.trainSize} training + ${r.validationSize} validation` : `${r.examples} examples`;
  const lines = [
    `${STATUS_ICON[r.status]} ${r.source}  (${split}, ${shape}, ${r.classes.length} classes): ${problems.filter((p) => p.status === 'fail').length} failing, ${plural(problems.filter((p) => p.status === 'warn').length, 'warning')}, ${passed.length} passed`,
  ];
  for (const n of r.notes) lines.push(`   note: ${n}`);
  const show = (i: DataCheckItem) => {
    lines.push(`${STATUS_ICON[i.status]} ${i.title}: ${i.summary}`);
    for (const e of i.id === 'label_noise' ? [] : (i.examples ?? []).slice(0, 3)) lines.push(`     e.g. ${e}`);
    if (i.fix && i.status !== 'pass') lines.push(`     fix: ${i.fix}`);
  };
  for (const p of problems) show(p);
  if (o.all) {
    for (const p of passed) show(p);
    for (const u of unknown) lines.push(`${STATUS_ICON.unknown} ${u.title}: ${u.summary}${u.fix ? ` (${u.fix})` : ''}`);
  } else {
    if (passed.length) lines.push(`${STATUS_ICON.pass} ${passed.length} passed: ${passed.map((p) => p.title).join(', ')} (\`--all\` shows each with its figures)`);
    for (const u of unknown) lines.push(`${STATUS_ICON.unknown} ${u.title}: ${u.summary}`);
  }
  const count = Math.min(o.suspects ?? 10, r.suspects.length);
  if (count > 0) {
    lines.push(`Most suspicious labels (${count} of ${r.flagged} flagged; given → suggested, out-of-sample probabilities):`);
    const width = Math.max(...r.suspects.slice(0, count).map((s) => s.name.length));
    for (const s of r.suspects.slice(0, count)) lines.push(`   ${s.name.padEnd(width)}  ${s.given} → ${s.suggested}   p ${s.givenProb.toFixed(2)} → ${s.suggestedProb.toFixed(2)}`);
  }
  return lines;
}
