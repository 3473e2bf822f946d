/** The demo's training report as Markdown: what was trained, the planted fault, the backend, the outcome, the checklist. Pure. */
import type { VerdictItem } from '../domain/verdict.ts';

export interface DemoReportInput {
  runId: string;
  runName: string;
  dbPath: string;
  /** One sentence each, as the demo printed them. */
  what: string;
  fault: string;
  /** "wasm (skipped tensorflow: Cannot find module …)". */
  backend: string;
  /** "10 epochs in 9.4 s (2,070 samples/s)". */
  training: string;
  /** The item the fault should cause, as the verdict has it (absent when the engine did not report it at all). */
  expectedId: string;
  expected: VerdictItem | undefined;
  found: boolean;
  notes: string[];
  /** The printed checklist (checklistText), kept verbatim in a text block. */
  checklist: string[];
  /** The chart's file name, relative to the report. */
  chartFile: string;
}

export function demoReportMarkdown(r: DemoReportInput): string {
  const verdictLine = r.expected
    ? `${r.found ? 'yes' : 'no'}: \`${r.expectedId}\` is **${r.expected.status}**: ${r.expected.title}`
    : `no: the verdict has no \`${r.expectedId}\` item`;
  const lines = [
    '# runmedic demo: a training run with a planted fault',
    '',
    `- **Trained:** ${r.what}`,
    `- **Fault switched on:** ${r.fault}`,
    `- **Backend:** ${r.backend}`,
    `- **Training:** ${r.training}`,
    `- **Stored run:** \`${r.runId}\` "${r.runName}" in \`${r.dbPath}\``,
    `- **Did runmedic find the fault?** ${verdictLine}`,
  ];
  if (r.expected?.fix) lines.push(`- **Suggested fix:** ${r.expected.fix}`);
  for (const note of r.notes) lines.push(`- note: ${note}`);
  lines.push('', `![loss, accuracy and learning rate of the run, with the verdict marked](${r.chartFile})`, '', '## Checklist', '', '```text', ...r.checklist, '```', '');
  return lines.join('\n');
}
