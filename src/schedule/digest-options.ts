/**
 * Validation of what a user types for a digest schedule: cron expression, time zone and window. Each problem comes
 * back as one sentence saying what is wrong, with an example that works.
 */
import { z } from 'zod';
import { checkCron, isTimeZone, nextSlot } from './cron-slots.ts';

export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_WINDOW = '24h';
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MIN_WINDOW_MS = 5 * 60_000;
const MAX_WINDOW_MS = 31 * 86_400_000;
/** Digests closer together than this would flood a channel. */
export const MIN_INTERVAL_MS = 15 * 60_000;

export const CRON_EXAMPLE = '`0 9 * * 1-5` (09:00 on weekdays)';
export const TIMEZONE_EXAMPLE = '`Europe/Berlin`, `America/New_York` or `UTC`';
export const WINDOW_EXAMPLE = '`30m`, `24h` or `7d`';

const windowSchema = z
  .string()
  .trim()
  .regex(/^(\d{1,4})\s*([mhd])$/i, { message: 'expected a number and a unit m, h or d' })
  .transform((s) => {
    const [, n, unit] = /^(\d{1,4})\s*([mhd])$/i.exec(s)!;
    return Number(n) * UNIT_MS[unit!.toLowerCase() as keyof typeof UNIT_MS];
  })
  .refine((ms) => ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS, { message: 'must be between 5m and 31d' });

const timezoneSchema = z.string().trim().min(1).refine(isTimeZone, { message: 'is not a time zone this server knows' });

export interface DigestScheduleInput {
  cron: string;
  timezone: string;
  windowMs: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Parses "30m", "24h", "7d" into ms. */
export function parseWindow(text: string): Checked<number> {
  const r = windowSchema.safeParse(text);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problems: [`Window \`${clip(text)}\` ${r.error.issues[0]?.message ?? 'is not valid'}: try ${WINDOW_EXAMPLE}.`] };
}

/** `now` (ms since the Unix epoch) is where the check of how often the expression fires starts. */
export function checkScheduleInput(raw: { cron: string; timezone?: string | null; window?: string | null }, now: number): Checked<DigestScheduleInput> {
  const problems: string[] = [];
  const timezoneText = raw.timezone?.trim() || DEFAULT_TIMEZONE;
  const tz = timezoneSchema.safeParse(timezoneText);
  if (!tz.success) problems.push(`Time zone \`${clip(timezoneText)}\` ${tz.error.issues[0]?.message ?? 'is not valid'}: use an IANA name such as ${TIMEZONE_EXAMPLE}.`);
  const timezone = tz.success ? tz.data : DEFAULT_TIMEZONE;
  const cron = checkCron(raw.cron, timezone);
  if (!cron.ok) problems.push(`Cron \`${clip(raw.cron)}\` is not valid: ${cron.problem}. Example: ${CRON_EXAMPLE}.`);
  else {
    const gap = shortestGap(cron.parsed.expression, timezone, now);
    if (gap !== null && gap < MIN_INTERVAL_MS) {
      problems.push(`Cron \`${clip(raw.cron)}\` fires every ${Math.round(gap / 60_000)} min: digests need at least ${MIN_INTERVAL_MS / 60_000} min between them. Example: ${CRON_EXAMPLE}.`);
    }
  }
  const window = parseWindow(raw.window?.trim() || DEFAULT_WINDOW);
  if (!window.ok) problems.push(...window.problems);
  if (problems.length || !cron.ok || !window.ok) return { ok: false, problems };
  return { ok: true, value: { cron: cron.parsed.expression, timezone, windowMs: window.value } };
}

/** The shortest time between the next few slots (48 slots at most), or null when it fires less than twice. */
function shortestGap(expression: string, timezone: string, now: number): number | null {
  let gap: number | null = null;
  let prev = nextSlot(expression, timezone, now);
  for (let i = 0; i < 48 && prev !== null; i++) {
    const next = nextSlot(expression, timezone, prev);
    if (next === null) break;
    gap = gap === null ? next - prev : Math.min(gap, next - prev);
    if (gap < MIN_INTERVAL_MS) break;
    prev = next;
  }
  return gap;
}

/** "24h", "7d", "90m": the shortest exact way to say a window. */
export function formatWindow(ms: number): string {
  // "24h" reads better than "1d" for the usual daily window.
  if (ms % UNIT_MS.d === 0 && ms > UNIT_MS.d) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  return `${Math.round(ms / UNIT_MS.m)}m`;
}

/** User text echoed back: short, and no backticks that would break the code span. */
function clip(s: string): string {
  const t = s.replace(/`/g, "'");
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}
