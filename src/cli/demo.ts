import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { IngestedRun } from '../app/ingest-files.ts';
import { listRuns } from '../app/list-runs.ts';
import type { CliCommand, CliContext } from './command.ts';
import { chartIngestedStep } from './chart.ts';
import { diagnoseIngestedStep } from './diagnose.ts';
import { ingestedTable } from './ingest.ts';
import { runsTable } from './runs.ts';

/** What the demo steps share: the runs ingested from examples/. */
export interface DemoState {
  ingested: IngestedRun[];
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
    state.ingested = await ingestPaths(await ctx.openStore(), files, { maxBytes: ctx.config.ingestMaxBytes, log: ctx.log });
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
 * The demo, in order. HOOK for later issues: append a step here (e.g. diagnose every run in `state.ingested`,
 * then draw their charts); each step prints its own section under its title.
 */
export const DEMO_STEPS: DemoStep[] = [ingestExamples, listStoredRuns, diagnoseIngestedStep, chartIngestedStep];

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: "run runmedic's main job on the bundled examples/ logs (ingest them, list the runs …)",
  args: '',
  maxArgs: 0,
  async run(ctx) {
    ctx.err(`database: ${ctx.dbPath}`);
    const state: DemoState = { ingested: [] };
    for (const [i, step] of DEMO_STEPS.entries()) {
      if (i > 0) ctx.out('');
      ctx.out(`== ${step.title} ==`);
      await step.run(ctx, state);
    }
  },
};
