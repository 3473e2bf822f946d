import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { IngestedRun } from '../app/ingest-files.ts';
import { listRuns } from '../app/list-runs.ts';
import type { CliCommand, CliContext } from './command.ts';
import { chartIngestedStep } from './chart.ts';
import { ALL_OPTION, diagnoseIngestedStep } from './diagnose.ts';
import { ingestedTable } from './ingest.ts';
import { runsTable } from './runs.ts';
import { checkedBackendOrder } from './train.ts';
import { BACKEND_NAMES } from '../jobs/backend-names.ts';
import { startDemoTraining, trainWithFaultStep, type DemoTraining } from './demo-training.ts';

/** What the demo steps share: the runs ingested from examples/, the options, and the exit code so far. */
export interface DemoState {
  ingested: IngestedRun[];
  /** TensorFlow.js backend preference for the training step ("wasm,cpu"); default: the job's own order. */
  backendOrder?: string;
  /** 1 when a step could not show what it set out to (the training failed, the planted fault went unnoticed). */
  exitCode: number;
  /** Print every not-checkable item of each checklist (--all), not one line naming them. */
  all?: boolean;
  /** The training job, when started ahead of its step. */
  training?: DemoTraining;
}

export interface DemoStep {
  title: string;
  run(ctx: CliContext, state: DemoState): Promise<void>;
}

/** Log files in examples/ (the generator script and docs beside them are not logs). */
const LOG_FILE = /\.(csv|json|jsonl|log|txt|tsv)$/i;

const ingestExamples: DemoStep = {
  title: 'Ingest the bundled example logs',
  async run(ctx, state) {
    const { ingestPaths } = await import('../app/ingest-files.ts');
    const dir = path.join(ctx.packageRoot, 'examples');
    const files = readdirSync(dir).filter((f) => LOG_FILE.test(f)).sort().map((f) => path.join(dir, f));
    state.ingested = await ingestPaths(await ctx.openStore(), files, { maxBytes: ctx.config.ingestMaxBytes, maxRunsPerFile: ctx.config.ingestMaxRunsPerFile, log: ctx.log });
    for (const line of ingestedTable(state.ingested)) ctx.out(line);
  },
};

const listStoredRuns: DemoStep = {
  title: 'Runs in the database',
  async run(ctx) {
    for (const line of runsTable(await listRuns(await ctx.openStore(), { limit: 20 }))) ctx.out(line);
  },
};

/**
 * The demo, in order; each step prints its own section under its title. The training step comes after the examples:
 * it is the slow one. The runs are listed last, once the training run has finished (listed before, it showed as
 * `running` with no points).
 */
export const DEMO_STEPS: DemoStep[] = [ingestExamples, diagnoseIngestedStep, chartIngestedStep, trainWithFaultStep, listStoredRuns];

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: "run runmedic's main job: the bundled examples/ logs (ingest, list, diagnose, chart), then train a small network with a planted fault and diagnose it",
  args: '',
  maxArgs: 0,
  options: {
    'no-train': { type: 'boolean', description: 'skip the training step (only the bundled example logs)' },
    ...ALL_OPTION,
    backend: { type: 'string', valueName: 'B', description: `TensorFlow.js backend preference for the training: a comma-separated list of ${BACKEND_NAMES.join(', ')} (default $RUNMEDIC_TF_BACKEND, else tensorflow,wasm,cpu)` },
  },
  async run(ctx, { values }) {
    const train = !values['no-train'];
    const backendOrder = train ? checkedBackendOrder(values.backend, process.env.RUNMEDIC_TF_BACKEND, 'demo') : undefined;
    const state: DemoState = { ingested: [], exitCode: 0, backendOrder, all: values.all === true };
    const steps = train ? DEMO_STEPS : DEMO_STEPS.filter((s) => s !== trainWithFaultStep);
    // The job's child spends seconds loading TensorFlow.js and MNIST: let that overlap the example steps.
    ctx.err(`database: ${ctx.dbPath}`);
    if (train) state.training = startDemoTraining(ctx, state.backendOrder);
    try {
      for (const [i, step] of steps.entries()) {
        if (i > 0) ctx.out('');
        ctx.out(`== ${step.title} ==`);
        await step.run(ctx, state);
      }
    } catch (e) {
      state.training?.cancel();
      throw e;
    }
    return state.exitCode;
  },
};
