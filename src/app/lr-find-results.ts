/**
 * Learning-rate range tests (lrfind) this process has run, by model and data, for "Rerun with fix" (issue 19): when
 * a custom job's checklist blames its rate, the rerun takes the range test's suggested rate for that model and data,
 * from a /lrfind someone ran on the same files, else from a quick range test run for the rerun (in a child process,
 * as /lrfind runs). Kept in memory, at most MAX_KEPT (a restarted bot runs the test again).
 */
import { createHash } from 'node:crypto';
import type { CustomJobConfig } from '../jobs/job-config.ts';

export const MAX_KEPT = 200;

/** The optimizers the range test runs (a job with another one keeps the ÷10 rule). */
export type RangeTestOptimizer = 'adam' | 'sgd';

export interface RateSuggestion {
  rate: number;
  /** 'earlier': a range test run before on the same files (a /lrfind); 'new': one run for this rerun. */
  from: 'earlier' | 'new';
}

const kept = new Map<string, number>();

export function rangeTestKey(modelSha256: string, dataSha256: string, labelColumn: string | null, optimizer: RangeTestOptimizer): string {
  return [modelSha256, dataSha256, labelColumn ?? '', optimizer].join(':');
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Records a range test's suggested rate (nothing when it suggested none). */
export function rememberRangeTest(key: string, suggested: number | null): void {
  if (suggested === null || !(suggested > 0)) return;
  kept.delete(key);
  kept.set(key, suggested);
  for (const k of kept.keys()) {
    if (kept.size <= MAX_KEPT) break;
    kept.delete(k);
  }
}

export function rememberedRangeTest(key: string): number | null {
  return kept.get(key) ?? null;
}

/**
 * The suggested rate for a custom job's model and data: a remembered one, else `run` (a range test on its files)
 * is asked and its answer remembered. Null when the job's optimizer is not one the test runs or it suggests none.
 */
export async function suggestedRateFor(config: CustomJobConfig, run: (optimizer: RangeTestOptimizer) => Promise<number | null>): Promise<RateSuggestion | null> {
  if (config.optimizer !== 'adam' && config.optimizer !== 'sgd') return null;
  const key = rangeTestKey(config.custom.model.sha256, config.custom.data.sha256, config.custom.labelColumn, config.optimizer);
  const known = rememberedRangeTest(key);
  if (known !== null) return { rate: known, from: 'earlier' };
  const rate = await run(config.optimizer);
  rememberRangeTest(key, rate);
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
