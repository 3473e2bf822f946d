/**
 * Learning-rate range tests (lrfind) by what they tested, for "Rerun with fix" (issue 19): when a job's checklist
 * blames its rate, the rerun takes the range test's suggested rate for the job's network, data and optimizer instead
 * of ÷10 or ×10. For a team's own model, from a /lrfind someone ran on the same files; for any job, from a range
 * test run earlier for a rerun of the same thing, else from one run now on the job's own setup (job-range-test.ts,
 * in a child process). Kept in the database (RangeTestStore, range-test-store.ts), so a restarted bot, another shard
 * or another process finds what one process ran.
 */
import { createHash } from 'node:crypto';
import { isCustomJob, type JobConfig } from '../jobs/job-config.ts';
import { CUSTOM_DEFAULTS } from '../jobs/presets.ts';
import type { RateOptimizerName } from '../jobs/custom/lr-find.ts';
import type { RangeTestOrigin, RangeTestStore } from './range-test-store.ts';

export interface RateSuggestion {
  rate: number;
  /** 'lrfind': an earlier /lrfind on the same files; 'earlier': a range test run earlier for a rerun; 'new': one run now. */
  from: 'lrfind' | 'earlier' | 'new';
}

/** The key of a range test of uploaded files (what /lrfind records and a custom job's rerun looks up). */
export function rangeTestKey(modelSha256: string, dataSha256: string, labelColumn: string | null, optimizer: RateOptimizerName): string {
  return [modelSha256, dataSha256, labelColumn ?? '', optimizer].join(':');
}

/** A team's own model: the settings besides its files that change what a range test measures. */
const SHAPES_RANGE_TEST = ['batchSize', 'dropout', 'l2', 'augment'] as const;

/** Settings that do not change what a range test measures (it sweeps the rate itself, for 100 steps). */
const NOT_TESTED = new Set(['learningRate', 'epochs', 'shuffle', 'earlyStopping']);

/**
 * What a job's range test tested: for a team's own model, its files, label column and optimizer, and the settings that
 * shape the test when they are not a /lrfind's (a /lrfind on the same files counts for a job at those); for a preset,
 * the preset and every setting that shapes its network, data or optimizer.
 */
export function rangeTestKeyOf(config: JobConfig): string {
  if (isCustomJob(config)) {
    const files = rangeTestKey(config.custom.model.sha256, config.custom.data.sha256, config.custom.labelColumn, config.optimizer);
    // A /lrfind tests the files with the default settings (batch 32, no dropout, no L2, no augmentation, no fault):
    // a job whose own settings shape the test otherwise is keyed by them too, so neither takes the other's rate. (The
    // seed does not; nor does a rerun's normalising of the inputs, so that a /lrfind of the raw files still serves the
    // rerun that fixes both the rate and the inputs, as the checklist asked.)
    const settings = config as unknown as Record<string, unknown>;
    const defaults = CUSTOM_DEFAULTS as unknown as Record<string, unknown>;
    const differing = SHAPES_RANGE_TEST.filter((k) => JSON.stringify(settings[k] ?? null) !== JSON.stringify(defaults[k] ?? null)).map((k) => [k, settings[k]]);
    const faults = config.faults && Object.keys(config.faults).length > 0 ? config.faults : null;
    if (differing.length === 0 && !faults) return files;
    return `${files}:${createHash('sha256').update(JSON.stringify({ differing, faults })).digest('hex').slice(0, 32)}`;
  }
  const tested = Object.fromEntries(Object.entries(config).filter(([k]) => !NOT_TESTED.has(k)).sort(([a], [b]) => a.localeCompare(b)));
  return `preset:${config.preset}:${config.optimizer}:${createHash('sha256').update(JSON.stringify(tested)).digest('hex').slice(0, 32)}`;
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
 * The suggested rate for a job (every job's optimizer has a rate): a stored one, else `run` (a range test of the job)
 * is asked and its answer stored. Null when the test suggests none (the loss never fell).
 */
export async function suggestedRateFor(config: JobConfig, store: RangeTestStore, run: (config: JobConfig) => Promise<number | null>, now: () => number = Date.now): Promise<RateSuggestion | null> {
  const key = rangeTestKeyOf(config);
  const known = await store.get(key);
  if (known) return { rate: known.rate, from: known.origin === 'lrfind' ? 'lrfind' : 'earlier' };
  const rate = await run(config);
  // A database that cannot store it does not cost the rerun the rate just measured (the next rerun tests again).
  await rememberRangeTest(store, key, rate, 'rerun', now()).catch(() => undefined);
  return rate !== null && rate > 0 && Number.isFinite(rate) ? { rate, from: 'new' } : null;
}

/** The range test of a job's own setup in a child process (the default `run` of suggestedRateFor). */
export async function rangeTestInChild(config: JobConfig): Promise<number | null> {
  const { runCustomCheckInChild } = await import('./custom-check-process.ts');
  const outcome = await runCustomCheckInChild({ kind: 'job-lrfind', config });
  return outcome.kind === 'job-lrfind' ? outcome.suggestion.suggested : null;
}
