/**
 * Learning-rate range tests (lrfind) by what they tested, for "Rerun with fix" (issue 19): when a custom job's
 * checklist blames its rate, the rerun takes the range test's suggested rate for that model and data, from a /lrfind
 * someone ran on the same files, else from a quick range test run for the rerun (in a child process, as /lrfind
 * runs). Kept in the database (RangeTestStore, range-test-store.ts), so a restarted bot, another shard or another
 * process finds what one process ran.
 */
import { createHash } from 'node:crypto';
import type { CustomJobConfig } from '../jobs/job-config.ts';
import type { RangeTestOrigin, RangeTestStore } from './range-test-store.ts';

/** The optimizers the range test runs (a job with another one keeps the ÷10 rule). */
export type RangeTestOptimizer = 'adam' | 'sgd';

export interface RateSuggestion {
  rate: number;
  /** 'lrfind': an earlier /lrfind on the same files; 'earlier': a range test run earlier for a rerun; 'new': one run now. */
  from: 'lrfind' | 'earlier' | 'new';
}

export function rangeTestKey(modelSha256: string, dataSha256: string, labelColumn: string | null, optimizer: RangeTestOptimizer): string {
  return [modelSha256, dataSha256, labelColumn ?? '', optimizer].join(':');
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Records a range test's suggested rate (nothing when it suggested none). */
export async function rememberRangeTest(store: RangeTestStore, key: string, suggested: number | null, origin: RangeTestOrigin, now = Date.now()): Promise<void> {
  if (suggested === null || !(suggested > 0) || !Number.isFinite(suggested)) return;
  await store.put(key, { rate: suggested, origin, createdAt: now });
}

/**
 * The suggested rate for a custom job's model and data: a stored one, else `run` (a range test on its files) is
 * asked and its answer stored. Null when the job's optimizer is not one the test runs or it suggests none.
 */
export async function suggestedRateFor(config: CustomJobConfig, store: RangeTestStore, run: (optimizer: RangeTestOptimizer) => Promise<number | null>, now: () => number = Date.now): Promise<RateSuggestion | null> {
  if (config.optimizer !== 'adam' && config.optimizer !== 'sgd') return null;
  const key = rangeTestKey(config.custom.model.sha256, config.custom.data.sha256, config.custom.labelColumn, config.optimizer);
  const known = await store.get(key);
  if (known) return { rate: known.rate, from: known.origin === 'lrfind' ? 'lrfind' : 'earlier' };
  const rate = await run(config.optimizer);
  await rememberRangeTest(store, key, rate, 'rerun', now());
  return rate !== null && rate > 0 ? { rate, from: 'new' } : null;
}

/** A range test of a custom job's files in a child process (the default `run` of suggestedRateFor). */
export async function rangeTestInChild(config: CustomJobConfig, optimizer: RangeTestOptimizer): Promise<number | null> {
  const [{ runCustomCheckInChild }, { customDataBytes }] = await Promise.all([import('./custom-check-process.ts'), import('../jobs/custom/custom-job.ts')]);
  const outcome = await runCustomCheckInChild({
    kind: 'lrfind',
    optimizer,
    inputs: {
      modelBytes: new TextEncoder().encode(config.custom.model.text),
      modelName: config.custom.model.name,
      dataBytes: customDataBytes(config.custom),
      dataName: config.custom.data.name,
      maxBytes: config.custom.data.maxBytes,
      labelColumn: config.custom.labelColumn ?? undefined,
    },
  });
  return outcome.kind === 'lrfind' ? outcome.suggestion.suggested : null;
}
