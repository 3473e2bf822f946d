/**
 * The child process of custom-check-process.ts: one sanity check or range test in, its outcome (or error) out. The
 * range test runs on uploaded files (/lrfind) or on a job's own setup (a rerun's `job-lrfind`).
 */
import { lrFindOf, sanityOf, type CustomInputs, type JobCheckOutcome, type JobLrFindOutcome } from './custom-check.ts';
import { isIngestError } from '../ingest/ingest-error.ts';
import type { RateOptimizerName } from '../jobs/custom/lr-find.ts';

export type CustomCheckRequest =
  | { kind: 'sanity'; inputs: CustomInputs; loss?: 'crossentropy' | 'mse' }
  | { kind: 'lrfind'; inputs: CustomInputs; planned?: number; optimizer?: RateOptimizerName }
  /** The range test of a job's network and data with its optimizer (`config`: a JobConfig, checked here). */
  | { kind: 'job-lrfind'; config: unknown }
  /** A custom job's files read and fitted to its model as its worker will, before it is queued. */
  | { kind: 'job-check'; config: unknown };

async function jobLrFind(config: unknown): Promise<JobLrFindOutcome> {
  const [{ parseJobConfig }, { loadBackend, parseBackendOrder }, { jobRangeTest }] = await Promise.all([import('../jobs/job-config.ts'), import('../jobs/backend.ts'), import('../jobs/job-range-test.ts')]);
  const parsed = parseJobConfig(config);
  const backend = await loadBackend(parseBackendOrder(process.env.RUNMEDIC_TF_BACKEND));
  const r = await jobRangeTest(parsed);
  return { kind: 'job-lrfind', backend: backend.name, optimizer: r.optimizer, batchSize: r.batchSize, suggestion: r.suggestion, steps: r.points.length };
}

async function jobCheck(config: unknown): Promise<JobCheckOutcome> {
  const [{ parseJobConfig, isCustomJob }, { checkCustomJobFiles }] = await Promise.all([import('../jobs/job-config.ts'), import('./check-custom-job-files.ts')]);
  const parsed = parseJobConfig(config);
  return { kind: 'job-check', notes: isCustomJob(parsed) ? await checkCustomJobFiles(parsed) : [] };
}

process.once('message', (msg: CustomCheckRequest) => {
  const work =
    msg.kind === 'job-lrfind'
      ? jobLrFind(msg.config)
      : msg.kind === 'job-check'
        ? jobCheck(msg.config)
        : (() => {
          const inputs = { ...msg.inputs, modelBytes: new Uint8Array(msg.inputs.modelBytes), dataBytes: new Uint8Array(msg.inputs.dataBytes) };
          return msg.kind === 'sanity' ? sanityOf(inputs, { loss: msg.loss }) : lrFindOf(inputs, { planned: msg.planned, optimizer: msg.optimizer });
        })();
  work.then(
    (outcome) => process.send!({ ok: true, outcome }, () => process.exit(0)),
    (e: unknown) =>
      process.send!(
        isIngestError(e) ? { ok: false, ingest: { file: e.file, line: e.line, path: e.path, reason: e.reason }, message: e.message } : { ok: false, message: e instanceof Error ? e.message : String(e) },
        () => process.exit(0),
      ),
  );
});
