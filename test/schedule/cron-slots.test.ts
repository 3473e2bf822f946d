import { describe, expect, it } from 'vitest';
import { checkCron, isTimeZone, nextSlot, previousSlot } from '../../src/schedule/cron-slots.ts';
import { checkScheduleInput, formatWindow, parseWindow } from '../../src/schedule/digest-options.ts';

const utc = (s: string) => Date.parse(s);
const NOW = utc('2026-11-27T18:00:00Z');

describe('cron slots', () => {
  it('finds the weekday 09:00 slots in Europe/Berlin across the end of summer time', () => {
    // Fri 23 Oct 2026 09:00 CEST = 07:00Z; Mon 26 Oct 09:00 CET = 08:00Z (DST ended on Sunday 25 Oct).
    expect(nextSlot('0 9 * * 1-5', 'Europe/Berlin', utc('2026-10-23T06:00:00Z'))).toBe(utc('2026-10-23T07:00:00Z'));
    expect(nextSlot('0 9 * * 1-5', 'Europe/Berlin', utc('2026-10-23T07:00:00Z'))).toBe(utc('2026-10-26T08:00:00Z'));
    expect(previousSlot('0 9 * * 1-5', 'Europe/Berlin', utc('2026-10-26T07:59:00Z'), 0)).toBe(utc('2026-10-23T07:00:00Z'));
    expect(previousSlot('0 9 * * 1-5', 'Europe/Berlin', utc('2026-10-26T08:00:00Z'), 0)).toBe(utc('2026-10-26T08:00:00Z'));
  });

  it('returns no previous slot when none lies after `after`', () => {
    expect(previousSlot('0 9 * * *', 'UTC', utc('2026-11-27T08:59:00Z'), utc('2026-11-26T09:00:00Z'))).toBeNull();
    expect(previousSlot('0 9 * * *', 'UTC', utc('2026-11-27T09:00:00Z'), utc('2026-11-26T09:00:00Z'))).toBe(utc('2026-11-27T09:00:00Z'));
  });

  it('skips a local time that does not exist on the day clocks go forward', () => {
    // 02:30 does not exist in Berlin on Sun 29 Mar 2026.
    expect(nextSlot('30 2 * * *', 'Europe/Berlin', utc('2026-03-28T12:00:00Z'))).toBe(utc('2026-03-30T00:30:00Z'));
  });

  it('handles several hours and minutes and nicknames', () => {
    expect(nextSlot('15,45 8-9 * * *', 'UTC', utc('2026-11-27T08:20:00Z'))).toBe(utc('2026-11-27T08:45:00Z'));
    expect(previousSlot('15,45 8-9 * * *', 'UTC', utc('2026-11-27T09:20:00Z'), 0)).toBe(utc('2026-11-27T09:15:00Z'));
    expect(nextSlot('@daily', 'UTC', utc('2026-11-27T08:20:00Z'))).toBe(utc('2026-11-28T00:00:00Z'));
  });

  it('names what is wrong with a bad expression', () => {
    expect(checkCron('0 25 * * *', 'UTC')).toEqual({ ok: false, problem: '25 is an invalid expression for hour' });
    expect(checkCron('every morning', 'UTC')).toMatchObject({ ok: false, problem: expect.stringContaining('expected 5 fields') });
    expect(checkCron('0 0 9 * * *', 'UTC')).toMatchObject({ ok: false, problem: expect.stringContaining('seconds field is not supported') });
    expect(checkCron('@sometimes', 'UTC')).toMatchObject({ ok: false, problem: expect.stringContaining('unknown nickname') });
  });
});

describe('schedule options', () => {
  it('parses windows and refuses nonsense', () => {
    expect(parseWindow('30m')).toEqual({ ok: true, value: 30 * 60_000 });
    expect(parseWindow('24h')).toEqual({ ok: true, value: 86_400_000 });
    expect(parseWindow('7d')).toEqual({ ok: true, value: 7 * 86_400_000 });
    expect(parseWindow('1m')).toMatchObject({ ok: false, problems: [expect.stringContaining('between 5m and 31d')] });
    expect(parseWindow('yesterday')).toMatchObject({ ok: false, problems: [expect.stringMatching(/unit m, h or d.*`24h`/)] });
    expect(formatWindow(86_400_000)).toBe('24h');
    expect(formatWindow(7 * 86_400_000)).toBe('7d');
    expect(formatWindow(90 * 60_000)).toBe('90m');
  });

  it('checks cron, zone and window together, one sentence with an example each', () => {
    const r = checkScheduleInput({ cron: '0 9 * * 8', timezone: 'Mars/Olympus', window: '2w' }, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toMatch(/Time zone `Mars\/Olympus`.*Europe\/Berlin/);
    expect(r.problems[1]).toMatch(/Cron `0 9 \* \* 8` is not valid: 8 is an invalid expression for week day.*`0 9 \* \* 1-5`/);
    expect(r.problems[2]).toMatch(/Window `2w`/);
    expect(checkScheduleInput({ cron: ' 0  9 * * 1-5 ', timezone: 'Europe/Berlin' }, NOW)).toEqual({
      ok: true,
      value: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', windowMs: 86_400_000 },
    });
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('')).toBe(false);
  });

  it('refuses schedules that fire more often than every 15 minutes', () => {
    const r = checkScheduleInput({ cron: '* * * * *' }, NOW);
    expect(r).toMatchObject({ ok: false, problems: [expect.stringContaining('fires every 1 min: digests need at least 15 min between them')] });
    expect(checkScheduleInput({ cron: '0,5 9 * * *' }, NOW)).toMatchObject({ ok: false, problems: [expect.stringContaining('fires every 5 min')] });
    expect(checkScheduleInput({ cron: '*/15 * * * *' }, NOW).ok).toBe(true);
  });
});
