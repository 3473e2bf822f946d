import { describe, expect, it } from 'vitest';
import { checklistText } from '../../src/cli/diagnose.ts';
import type { ItemStatus, Verdict, VerdictItem } from '../../src/domain/verdict.ts';

const item = (id: string, status: ItemStatus): VerdictItem =>
  ({ id, area: 'training', status, title: `${id} title`, evidence: {}, fix: `log what ${id} needs`, marks: [] }) as unknown as VerdictItem;

const verdict = (items: VerdictItem[]): Verdict =>
  ({ run: { id: 'r', name: 'run', format: 'keras_csv', points: 10, epochs: 5 }, status: 'fail', items }) as unknown as Verdict;

describe('checklistText', () => {
  const v = verdict([item('saturation', 'unknown'), item('overfitting', 'fail'), item('lr_too_low', 'unknown'), item('plateau', 'pass'), item('dead_relu', 'unknown')]);

  it('collapses the not-checkable items into one line naming them, after the checked ones', () => {
    const lines = checklistText({ verdict: v, from: 'store', notes: [] });
    expect(lines[0]).toContain('1 failing, 0 warnings, 1 passed, 3 not checkable');
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual(['❔ 3 not checkable here: saturation, lr_too_low, dead_relu (`--all` lists them with what each needs)']);
    expect(lines.at(-1)).toMatch(/^❔ 3 not checkable/);
    expect(lines.join('\n')).not.toContain('log what saturation needs');
    expect(lines.some((l) => l.startsWith('❌ overfitting'))).toBe(true);
  });

  it('names as many as fit a terminal line, then …', () => {
    const ids = ['class_imbalance', 'duplicates', 'leakage', 'label_conflicts', 'label_noise', 'unnormalized_inputs', 'too_little_data', 'model_too_large', 'saturation', 'dead_relu'];
    const lines = checklistText({ verdict: verdict(ids.map((id) => item(id, 'unknown'))), from: 'store', notes: [] });
    const summary = lines.at(-1)!;
    expect(summary).toMatch(/^❔ 10 not checkable here: class_imbalance, duplicates, .*, … \(`--all` lists them with what each needs\)$/);
    expect(summary.slice(0, summary.indexOf(' (`--all`')).length).toBeLessThanOrEqual(112);
    expect(summary).not.toContain('dead_relu');
  });

  it('with all, lists each with what it needs', () => {
    const lines = checklistText({ verdict: v, from: 'store', notes: [] }, { all: true });
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual([
      '❔ saturation [training] saturation title: log what saturation needs',
      '❔ lr_too_low [training] lr_too_low title: log what lr_too_low needs',
      '❔ dead_relu [training] dead_relu title: log what dead_relu needs',
    ]);
  });

  it('a single not-checkable item keeps its own line: a summary would be no shorter', () => {
    const lines = checklistText({ verdict: verdict([item('overfitting', 'pass'), item('saturation', 'unknown')]), from: 'store', notes: [] });
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual(['❔ saturation [training] saturation title: log what saturation needs']);
  });
});
