/**
 * Cron slots of a digest schedule: validation, and the slot before or after an instant in the schedule's time zone.
 * node-cron fires the schedule in production; these functions answer what node-cron cannot: which slot was missed
 * while the bot was down, and (for the fake clock and /digest list) when the next one is. Matching of the day fields
 * is node-cron's own, so both agree on what a slot is; minutes and hours are enumerated from node-cron's parse.
 */
import cron, { type ScheduledTask } from 'node-cron';

export interface ParsedCron {
  /** The expression with a nickname (@daily …) expanded, 5 fields. */
  expression: string;
  minutes: number[];
  hours: number[];
  /** Matches a local calendar day (at local noon) against the day-of-month, month and day-of-week fields. */
  dayMatcher: ScheduledTask;
}

export type CronCheck = { ok: true; parsed: ParsedCron } | { ok: false; problem: string };

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far back a missed slot is looked for, and how far ahead the next one: a year and a leap day. */
const SEARCH_DAYS = 367;
/** '0 0 29 2 *' can be eight years away. */
const NEXT_SEARCH_DAYS = 366 * 8 + 2;

const parsedCache = new Map<string, ParsedCron>();
const MAX_CACHED = 256;

/** Checks a digest cron expression: 5 fields (minute hour day-of-month month day-of-week) or a nickname. */
export function checkCron(raw: string, timezone: string): CronCheck {
  const trimmed = raw.trim().replace(/\s+/g, ' ');
  const expression = NICKNAMES[trimmed.toLowerCase()] ?? trimmed;
  if (expression.startsWith('@')) return { ok: false, problem: `unknown nickname ${trimmed} (known: ${Object.keys(NICKNAMES).join(', ')})` };
  const fields = expression.split(' ');
  if (fields.length === 6) return { ok: false, problem: 'a seconds field is not supported: give 5 fields (minute hour day-of-month month day-of-week)' };
  if (fields.length !== 5) return { ok: false, problem: `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` };
  let detail;
  try {
    detail = cron.validateDetailed(expression);
  } catch (e) {
    return { ok: false, problem: (e as Error).message };
  }
  if (!detail.valid || !detail.fields) {
    return { ok: false, problem: detail.errors.map((e) => e.message.replace(' a invalid ', ' an invalid ')).join('; ') || 'not a cron expression' };
  }
  const key = `${expression}\u0000${timezone}`;
  let parsed = parsedCache.get(key);
  if (!parsed) {
    const [, , dom, month, dow] = fields;
    // Never started: used only for its match(); no timer behind it.
    const dayMatcher = cron.createTask(`0 0 12 ${dom} ${month} ${dow}`, () => undefined, { timezone, name: `digest-day-matcher ${key}` });
    parsed = { expression, minutes: [...detail.fields.minute].sort((a, b) => a - b), hours: [...detail.fields.hour].sort((a, b) => a - b), dayMatcher };
    parsedCache.set(key, parsed);
    // Every expression anyone typed stays in node-cron's task registry until destroyed: keep the cache bounded.
    if (parsedCache.size > MAX_CACHED) {
      const [oldKey, old] = parsedCache.entries().next().value!;
      parsedCache.delete(oldKey);
      void Promise.resolve(old.dayMatcher.destroy()).catch(() => undefined);
    }
  }
  return { ok: true, parsed };
}

/** True when `timezone` is an IANA zone this Node knows. */
export function isTimeZone(timezone: string): boolean {
  if (!timezone || timezone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The latest slot s with after < s ≤ atOrBefore (ms since the Unix epoch), or null. Looks back at most a year. */
export function previousSlot(expression: string, timezone: string, atOrBefore: number, after: number): number | null {
  const parsed = mustParse(expression, timezone);
  const end = localParts(atOrBefore, timezone);
  let day = Date.UTC(end.year, end.month - 1, end.day);
  for (let i = 0; i < SEARCH_DAYS; i++, day -= DAY) {
    const d = new Date(day);
    const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const dayStart = localToInstant(y, m, dd, 0, 0, timezone);
    if (dayStart + 2 * DAY <= after) return null;
    if (!parsed.dayMatcher.match(new Date(localToInstant(y, m, dd, 12, 0, timezone)))) continue;
    for (let h = parsed.hours.length - 1; h >= 0; h--) {
      for (let k = parsed.minutes.length - 1; k >= 0; k--) {
        const at = slotInstant(y, m, dd, parsed.hours[h]!, parsed.minutes[k]!, timezone);
        if (at !== null && at <= atOrBefore && at > after) return at;
      }
    }
  }
  return null;
}

/** The earliest slot strictly after `after`, or null when none comes within eight years. */
export function nextSlot(expression: string, timezone: string, after: number): number | null {
  const parsed = mustParse(expression, timezone);
  const start = localParts(after, timezone);
  let day = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < NEXT_SEARCH_DAYS; i++, day += DAY) {
    const d = new Date(day);
    const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    if (!parsed.dayMatcher.match(new Date(localToInstant(y, m, dd, 12, 0, timezone)))) continue;
    for (const h of parsed.hours) {
      for (const mi of parsed.minutes) {
        const at = slotInstant(y, m, dd, h, mi, timezone);
        if (at !== null && at > after) return at;
      }
    }
  }
  return null;
}

/** The instant a slot's time starts at, floored to the minute (node-cron reports a tick a few ms late). */
export function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function mustParse(expression: string, timezone: string): ParsedCron {
  const check = checkCron(expression, timezone);
  if (!check.ok) throw new Error(`invalid cron expression "${expression}": ${check.problem}`);
  return check.parsed;
}

/** A local wall-clock minute as an instant; null when the minute does not exist (skipped by a DST change). */
function slotInstant(y: number, m: number, d: number, h: number, mi: number, timezone: string): number | null {
  const at = localToInstant(y, m, d, h, mi, timezone);
  const p = localParts(at, timezone);
  return p.year === y && p.month === m && p.day === d && p.hour === h && p.minute === mi ? at : null;
}

const formats = new Map<string, Intl.DateTimeFormat>();

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function localParts(ms: number, timezone: string): LocalParts {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(timezone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute! };
}

function offsetMinutes(ms: number, timezone: string): number {
  const p = localParts(ms, timezone);
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - floorToMinute(ms)) / MINUTE;
}

function localToInstant(y: number, m: number, d: number, h: number, mi: number, timezone: string): number {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const first = offsetMinutes(guess, timezone);
  const candidate = guess - first * MINUTE;
  const second = offsetMinutes(candidate, timezone);
  return second === first ? candidate : guess - second * MINUTE;
}
