/** zod schemas of the push API's request bodies: validated here, trusted inside. */
import { z } from 'zod';
import { escapeControlChars, findControlChar } from '../domain/control-chars.ts';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/**
 * An object that refuses keys it does not know, naming them and the accepted ones: a silently dropped field (a
 * misspelt `trainValOverlap`, a point's `wall_time`) would leave a check blind while the client thinks it sent it.
 */
function strictObject<T extends z.ZodRawShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}; accepted: ${accepted}` : undefined),
  });
}
const count = z.number().int().nonnegative();
const snowflake = z.string().regex(/^\d{5,25}$/, 'expected a Discord id (digits)');

export const trainingConfigSchema = z.object({
  learningRate: finite.positive().optional(),
  batchSize: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  optimizer: z.string().max(100).optional(),
  shuffle: z.boolean().optional(),
  earlyStopping: z.boolean().optional(),
  validationSplit: finite.min(0).max(1).optional(),
});

/**
 * A name people will read in a terminal or in Discord: no control or bidirectional-override characters (issue 17: a
 * run named with ESC sequences recoloured the terminal of `runmedic runs`). The message names the character and where.
 */
function displayName(max: number, trim: boolean) {
  return (trim ? z.string().trim() : z.string())
    .min(1)
    .max(max)
    .superRefine((v, ctx) => {
      const c = findControlChar(v);
      if (c) ctx.addIssue({ code: 'custom', message: `contains the control character ${c.description} at position ${c.position}; names may not hold control or bidirectional-override characters` });
    });
}

export const createRunSchema = z.object({
  name: displayName(200, true),
  clientRunId: z.string().min(1).max(200).optional(),
  config: trainingConfigSchema.optional(),
  classes: z.number().int().min(2).max(1_000_000).optional(),
  framework: z.string().max(100).optional(),
  discord: z.object({ channelId: snowflake }).optional(),
});

/** Most points one batch may carry (each metric of each step counts). */
export const MAX_POINTS_PER_BATCH = 100_000;

/** Spellings of a non-finite value accepted as strings (numpy's str(), Python's float('inf') printed, JS's String()). */
const NON_FINITE_WORDS = new Set(['nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);

/**
 * A metric value. JSON has no NaN or Infinity, yet a diverged loss is a symptom to keep as data: null stands for any
 * non-finite value, and so do the strings "NaN"/"Infinity"/"-Infinity" (and the bare tokens Python's json.dumps
 * writes, which the metrics route reads leniently). All become null (stored as NaN). One hand-written check rather
 * than a zod union: it runs for every value of every batch.
 */
const metricValue = z.unknown().transform((v, ctx): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === null) return null;
  if (typeof v === 'string' && NON_FINITE_WORDS.has(v.trim().toLowerCase())) return null;
  const got = typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : Array.isArray(v) ? 'an array' : typeof v;
  ctx.addIssue({ code: 'custom', message: `expected a number, or null for NaN/Infinity (got ${got})` });
  return z.NEVER;
});

const pointSchema = strictObject({
  step: finite.min(0),
  epoch: finite.min(0).optional(),
  time: finite.optional(),
  metrics: z.record(displayName(200, false), metricValue).refine((m) => Object.keys(m).length > 0, 'expected at least one metric'),
  /** Whether the point's metrics are per step or per epoch; without it, a point with step = epoch is taken as per epoch. */
  cadence: z.enum(['step', 'epoch']).optional(),
});

export const metricsBatchSchema = z
  .object({ points: z.array(pointSchema).min(1).max(MAX_POINTS_PER_BATCH) })
  .refine((b) => b.points.reduce((n, p) => n + Object.keys(p.metrics).length, 0) <= MAX_POINTS_PER_BATCH, {
    message: `at most ${MAX_POINTS_PER_BATCH} metric values per batch`,
  });

export const finishSchema = strictObject({
  status: z.enum(['finished', 'crashed', 'killed']).default('finished'),
});

const classCounts = z.record(z.string().max(200), count);

export const datasetStatsSchema = strictObject({
  classCounts: classCounts.optional(),
  valClassCounts: classCounts.optional(),
  trainSize: count.optional(),
  valSize: count.optional(),
  duplicates: count.optional(),
  trainValOverlap: count.optional(),
  labelConflicts: count.optional(),
  likelyLabelErrors: count.optional(),
  inputMin: finite.optional(),
  inputMax: finite.optional(),
  inputMean: finite.optional(),
  inputStd: finite.min(0).optional(),
});

/** "points[3].metrics.loss: expected a finite number; name: …" — JSON paths, so the client can find the bad field. */
export function describeZodError(e: z.ZodError): string {
  return e.issues
    .slice(0, 5)
    // A bad record key (a metric name) carries its own reason inside; the key itself is escaped in the path.
    .map((i) => `${formatPath(i.path)}: ${i.code === 'invalid_key' && i.issues?.[0] ? i.issues[0].message : i.message}`)
    .join('; ');
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return escapeControlChars(out);
}
