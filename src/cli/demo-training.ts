/**
 * The demo's training step: trains a small network with one fault switched on, as a real job (child process, stored
 * run, the backend that ran), diagnoses it with what the job measured, and writes a report, the verdict JSON and the
 * chart. The point is to show a newcomer a fault going in and runmedic naming it coming out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CliContext } from './command.ts';
import type { DemoStep } from './demo.ts';
import { DEMO_CHART_DIR } from './chart.ts';
import { checklistText, STATUS_ICON } from './diagnose.ts';
import { toJson } from './format.ts';
import { itemName } from '../diagnose/item-names.ts';
import { demoReportMarkdown } from './demo-report.ts';
import { backendText, runTerminalJob, unfinishedReason } from './terminal-job.ts';
import { epochProgressLine } from '../jobs/progress-line.ts';
import { resolveJobConfig } from '../jobs/presets.ts';
import type { JobEvent } from '../jobs/run-job-process.ts';
import type { EpochReport } from '../jobs/train-model.ts';
import type { JobConfig } from '../jobs/job-config.ts';
import type { TrainingJobResult } from '../app/run-training-job.ts';

/**
 * Label noise, because its symptom is plain on a chart (training accuracy stalls near the share of right labels while
 * validation, whose labels are clean, does better), it is found from the data rather than read back from the
 * config, and the check gives the same answer on every backend. mnist-mlp on 2,000 digits trains in seconds even on
 * wasm, the slowest backend a fresh clone gets.
 */
export const DEMO_JOB = {
  preset: 'mnist-mlp',
  options: { limit: 2000, epochs: 8 },
  faults: { labelNoise: 0.4 },
  /** The verdict item the fault should cause. */
  expectedItem: 'label_noise',
  /** Base name of the report (.md), verdict (.json) and chart (.png) in DEMO_CHART_DIR. */
  fileBase: 'trained-label-noise',
} as const;

const n = (x: number) => x.toLocaleString('en-US');

const LABEL_WIDTH = 10;
const LINE_WIDTH = 110;

/** "Label:    text" wrapped at word boundaries under a hanging indent, so the story reads in an ordinary terminal. */
export function labelledLines(label: string, text: string, width = LINE_WIDTH): string[] {
  const indent = ' '.repeat(LABEL_WIDTH);
  const lines: string[] = [];
  let line = `${label}:`.padEnd(LABEL_WIDTH);
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The report, verdict and chart paths, relative to the working directory. */
export function demoTrainingFiles(dir = DEMO_CHART_DIR): { report: string; verdict: string; chart: string } {
  const base = path.join(dir, DEMO_JOB.fileBase);
  return { report: `${base}.md`, verdict: `${base}.json`, chart: `${base}.png` };
}

/** The demo's job, started before the example steps so its start-up (TensorFlow.js, MNIST) overlaps them. */
export interface DemoTraining {
  config: JobConfig;
  /** Date.now() when the job was started. */
  started: number;
  done: Promise<TrainingJobResult>;
  /** Prints the progress lines held back so far through `out`, then every later one as it comes. */
  show(out: (line: string) => void): void;
  /** "wasm (skipped tensorflow: …)" once the child reported its backend. */
  backendText(): string;
  lastEpoch(): EpochReport | null;
  /** Kills the child (a step before it failed: nobody will show this job). */
  cancel(): void;
}

const say = (out: (line: string) => void, label: string, text: string) => {
  for (const line of labelledLines(label, text)) out(line);
};

export function startDemoTraining(ctx: CliContext, backendOrder: string | undefined): DemoTraining {
  const config = resolveJobConfig(DEMO_JOB.preset, DEMO_JOB.options, DEMO_JOB.faults);
  const started = Date.now();
  const held: string[] = [];
  let sink: ((line: string) => void) | null = null;
  const emit = (line: string) => (sink ? sink(line) : held.push(line));
  let backend = '';
  let backendLine = '';
  let last: EpochReport | null = null;
  // Epoch lines count from the start of training, not from the child's start-up.
  let trainingStarted = started;
  const onEvent = (e: JobEvent) => {
    if (e.type === 'backend') {
      backend = e.backend.name;
      backendLine = backendText(e.backend);
      say(emit, 'Backend', backendLine);
    } else if (e.type === 'data') {
      trainingStarted = Date.now();
      say(emit, 'Data', `${n(e.trainSize)} training, ${n(e.valSize)} validation examples${e.notes.length ? `; ${e.notes.join('; ')}` : ''}`);
    } else if (e.type === 'epoch') {
      last = e.report;
      emit(`  ${epochProgressLine(e.report, Date.now() - trainingStarted, backend)}`);
    }
  };
  const abort = new AbortController();
  // Recorded as a job (requestedBy 'demo') so a later `runmedic diagnose <run>` sees what the job measured and repeats this verdict.
  const done = runTerminalJob(ctx, config, { onEvent, backendOrder, requestedBy: 'demo', abort });
  // Awaited by the step; until then a failure must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return {
    config,
    started,
    done,
    show(out) {
      for (const line of held.splice(0)) out(line);
      sink = out;
    },
    backendText: () => backendLine,
    lastEpoch: () => last,
    cancel: () => abort.abort(),
  };
}

export const trainWithFaultStep: DemoStep = {
  title: 'Train a small network with a planted fault, then diagnose it',
  async run(ctx, state) {
    const early = state.training;
    const job = early ?? startDemoTraining(ctx, state.backendOrder);
    const { config, started } = job;
    const noise = DEMO_JOB.faults.labelNoise;
    const what =
      `${config.preset}, a network with one hidden layer (Dense ${config.hiddenUnits} ${config.activation} → Dense 10 softmax) that reads ` +
      `handwritten digits: ${n(DEMO_JOB.options.limit)} MNIST digits, ${config.epochs} epochs, ${config.optimizer} at learning rate ${config.learningRate}.`;
    const fault =
      `label-noise=${noise}: ${noise * 100} % of the training labels are swapped for a wrong digit, as a careless annotator would. ` +
      `The validation labels stay right.`;
    const out = (line: string) => ctx.out(line);
    say(out, 'What', what);
    say(out, 'Fault', fault);
    say(
      out,
      'Expect',
      `training accuracy stalls near ${Math.round((1 - noise) * 100)} % (the share of right labels) while validation does better, ` +
        `and runmedic flags ${DEMO_JOB.expectedItem}: it asks the trained model about every training example and counts those whose ` +
        `label the model confidently disagrees with.`,
    );
    if (early) say(out, 'Job', 'a child process, started when the demo began so that it loaded while the example logs above were processed.');
    job.show(out);

    const r = await job.done;
    if (r.outcome.status !== 'finished' || !r.verdict) {
      const reason = unfinishedReason(r.outcome);
      const why = reason === 'cancelled' ? 'was cancelled' : reason;
      ctx.out(`The training job ${why} (run ${r.run.id} kept as ${r.run.status}).`);
      state.exitCode = 1;
      return;
    }
    const store = await ctx.openStore();
    const { result } = r.outcome;
    const m = result.meta;
    const seconds = (Date.now() - started) / 1000;
    // The training itself, apart from starting the child and loading TensorFlow.js (seconds on a cold start).
    const trainingSeconds = m.samplesPerSecond > 0 ? (m.trainSize * m.epochsRun) / m.samplesPerSecond : seconds;
    const training = `${m.epochsRun} epochs in ${trainingSeconds.toFixed(1)} s on ${m.backend} (${n(Math.round(m.samplesPerSecond))} samples/s; ${seconds.toFixed(1)} s with start-up)`;
    say(out, 'Trained', `${training}; stored as run ${r.run.id} "${r.run.name}" in ${ctx.dbPath}.`);
    const end = job.lastEpoch();
    if (end && end.valAccuracy !== null) {
      const why = end.accuracy < end.valAccuracy ? ': the model cannot fit labels that are wrong, and the clean validation labels score higher.' : '.';
      say(out, 'Symptom', `after ${end.epoch} epochs training accuracy is ${end.accuracy.toFixed(2)} and validation accuracy ${end.valAccuracy.toFixed(2)}${why}`);
    }
    ctx.out('');

    for (const line of checklistText({ verdict: r.verdict, from: 'store', notes: result.notes }, { all: state.all })) ctx.out(line);
    // The report is a file to read at leisure: it keeps every item with what it needs.
    const checklist = checklistText({ verdict: r.verdict, from: 'store', notes: result.notes }, { all: true });
    ctx.out('');

    const expected = r.verdict.items.find((i) => i.id === DEMO_JOB.expectedItem);
    const found = expected?.status === 'fail' || expected?.status === 'warn';
    if (expected && found) {
      say(out, 'Caught', `${STATUS_ICON.pass} the checklist's ${itemName(expected.id)} item (${expected.id}) ${expected.status === 'fail' ? 'fails' : 'warns'}: ${expected.title}; ${noise * 100} % were swapped, and a model trained on them does not spot every one.`);
      say(out, 'Fix', expected.fix);
    } else {
      say(out, 'Missed', `${STATUS_ICON.fail} the checklist did not flag ${itemName(DEMO_JOB.expectedItem)} (${DEMO_JOB.expectedItem})${expected ? `: it says ${expected.status}, ${expected.title}` : ''}, though the demo planted that fault.`);
      state.exitCode = 1;
    }

    const files = demoTrainingFiles();
    mkdirSync(path.dirname(files.report), { recursive: true });
    const run = await store.getRun(r.run.id);
    if (run) {
      const { writeRunChart } = await import('../app/render-chart.ts');
      writeRunChart(files.chart, run, r.verdict);
    }
    writeFileSync(files.verdict, `${toJson(r.verdict)}\n`);
    writeFileSync(
      files.report,
      demoReportMarkdown({
        runId: r.run.id,
        runName: r.run.name,
        dbPath: ctx.dbPath,
        what,
        fault,
        backend: job.backendText() || m.backend,
        training,
        expectedId: DEMO_JOB.expectedItem,
        expected,
        found,
        notes: result.notes,
        checklist,
        chartFile: path.basename(files.chart),
      }),
    );
    say(out, 'Report', files.report);
    if (run) say(out, 'Chart', files.chart);
    say(out, 'Verdict', files.verdict);
    say(
      out,
      'Next',
      `\`npx runmedic diagnose ${r.run.id}\` gives the same checklist from the database; ` +
        `\`npx runmedic train --preset ${config.preset} --limit ${DEMO_JOB.options.limit} --epochs ${config.epochs}\` trains the same network without the fault.`,
    );
  },
};
