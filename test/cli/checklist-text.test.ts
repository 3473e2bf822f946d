import { describe, expect, it } from 'vitest';
import { checklistText } from '../../src/cli/diagnose.ts';
import type { ItemStatus, Verdict, VerdictItem } from '../../src/domain/verdict.ts';

const item = (id: string, status: ItemStatus): VerdictItem =>
  ({ id, area: 'training', status, title: `${id} title`, evidence: { onsetEpoch: 12, valBest: 0.41 }, fix: `log what ${id} needs`, marks: [] }) as unknown as VerdictItem;

const verdict = (items: VerdictItem[]): Verdict =>
  ({ run: { id: 'r', name: 'run', format: 'keras_csv', points: 10, epochs: 5 }, status: 'fail', items }) as unknown as Verdict;

describe('checklistText', () => {
  const v = verdict([item('saturation', 'unknown'), item('overfitting', 'fail'), item('lr_too_low', 'unknown'), item('plateau', 'pass'), item('dead_relu', 'unknown')]);

  it('leads each problem with its plain name and the finding, prints no evidence keys, and collapses passes and not-checkables into one line each', () => {
    const lines = checklistText({ verdict: v, from: 'store', notes: [] });
    expect(lines[0]).toContain('1 failing, 0 warnings, 1 passed, 3 not checkable');
    expect(lines).toContain('❌ Overfitting: overfitting title');
    expect(lines).toContain('     fix: log what overfitting needs');
    expect(lines.join('\n')).not.toMatch(/onset|valBest|evidence|\[training\]/);
    expect(lines.filter((l) => l.startsWith('✅'))).toEqual(['✅ 1 passed, no sign of: Plateau (`--all` lists each with its finding)']);
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual(['❔ 3 not checkable here: Saturated activations, Learning rate too low, Dead ReLUs (`--all` lists them with what each needs)']);
    expect(lines.at(-1)).toMatch(/^❔ 3 not checkable/);
    expect(lines.join('\n')).not.toContain('log what saturation needs');
  });

  it('folds a finding another explains under it instead of listing it as a pass', () => {
    const lines = checklistText({
      verdict: verdict([{ ...item('divergence', 'pass'), explainedBy: 'nan_loss' }, item('nan_loss', 'fail'), item('plateau', 'pass')]),
      from: 'store',
      notes: [],
    });
    expect(lines.slice(1, 3)).toEqual(['❌ NaN loss: nan_loss title', '     ↳ also explains what looks like: Divergence']);
    expect(lines[0]).toContain('1 passed');
    expect(lines.find((l) => l.startsWith('✅'))).not.toContain('Divergence');
  });

  it('names as many as fit a terminal line, then counts the rest', () => {
    const ids = ['class_imbalance', 'duplicates', 'leakage', 'label_conflicts', 'label_noise', 'unnormalized_inputs', 'too_little_data', 'model_too_large', 'saturation', 'dead_relu'];
    const lines = checklistText({ verdict: verdict(ids.map((id) => item(id, 'unknown'))), from: 'store', notes: [] });
    const summary = lines.at(-1)!;
    expect(summary).toMatch(/^❔ 10 not checkable here: Class imbalance, Duplicate samples, .*, … \+\d+ \(`--all` lists them with what each needs\)$/);
    expect(summary.slice(0, summary.indexOf(' (`--all`')).length).toBeLessThanOrEqual(112);
    expect(summary).not.toContain('Dead ReLUs');
  });

  it('with all, lists each with its finding or what it needs', () => {
    const lines = checklistText({ verdict: v, from: 'store', notes: [] }, { all: true });
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual([
      '❔ Saturated activations: saturation title (log what saturation needs)',
      '❔ Learning rate too low: lr_too_low title (log what lr_too_low needs)',
      '❔ Dead ReLUs: dead_relu title (log what dead_relu needs)',
    ]);
    expect(lines).toContain('✅ Plateau: plateau title');
  });

  it('a single not-checkable item keeps its own line: a summary would be no shorter', () => {
    const lines = checklistText({ verdict: verdict([item('overfitting', 'pass'), item('saturation', 'unknown')]), from: 'store', notes: [] });
    expect(lines.filter((l) => l.startsWith('❔'))).toEqual(['❔ Saturated activations: saturation title (log what saturation needs)']);
  });
});
