import { describe, expect, it } from 'vitest';
import { demoReportMarkdown, type DemoReportInput } from '../../src/cli/demo-report.ts';
import { labelledLines } from '../../src/cli/demo-training.ts';
import type { VerdictItem } from '../../src/domain/verdict.ts';

describe('labelledLines', () => {
  it('wraps at word boundaries under a hanging indent and keeps an over-long word whole', () => {
    const lines = labelledLines('Fault', 'aaaa bbbb cccc dddd eeeeeeeeeeeeeeeeeeeeeeee ff', 24);
    expect(lines).toEqual(['Fault:    aaaa bbbb cccc', '          dddd', '          eeeeeeeeeeeeeeeeeeeeeeee', '          ff']);
    expect(labelledLines('Report', 'x.md')).toEqual(['Report:   x.md']);
  });
});

describe('demoReportMarkdown', () => {
  const item: VerdictItem = { id: 'label_noise', area: 'data', status: 'fail', title: '22.2 % of labels look wrong (355 examples)', evidence: {}, fix: 'Relabel them.', marks: [] };
  const input: DemoReportInput = {
    runId: 'r_abc',
    runName: 'mnist-mlp label-noise=0.4',
    dbPath: 'runmedic.db',
    what: 'mnist-mlp',
    fault: 'label-noise=0.4',
    backend: 'wasm',
    training: '8 epochs',
    expectedId: 'label_noise',
    expected: item,
    found: true,
    notes: ['fault label-noise: 640 of 1600'],
    checklist: ['❌ mnist-mlp …', '❌ label_noise [data] …'],
    chartFile: 'trained-label-noise.png',
  };

  it('says whether the fault was found, with the fix, the chart and the checklist verbatim', () => {
    const md = demoReportMarkdown(input);
    expect(md).toContain('**Did runmedic find the fault?** yes: `label_noise` is **fail**: 22.2 % of labels look wrong (355 examples)');
    expect(md).toContain('- **Suggested fix:** Relabel them.');
    expect(md).toContain('](trained-label-noise.png)');
    expect(md).toContain('```text\n❌ mnist-mlp …\n❌ label_noise [data] …\n```');
  });

  it('says no when the item passed or is missing', () => {
    expect(demoReportMarkdown({ ...input, expected: { ...item, status: 'pass', fix: '' }, found: false })).toContain('find the fault?** no: `label_noise` is **pass**');
    const md = demoReportMarkdown({ ...input, expected: undefined, found: false });
    expect(md).toContain('no: the verdict has no `label_noise` item');
    expect(md).not.toContain('Suggested fix');
  });
});
