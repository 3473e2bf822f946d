import { describe, expect, it } from 'vitest';
import { ConfigError, CONFIG_ENV_NAMES, loadConfig } from '../src/config.ts';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './support/real-logs.ts';
import path from 'node:path';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.dbPath).toBe('./runmedic.db');
    expect(c.logLevel).toBe('info');
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.httpPort).toBe(8787);
    expect(c.discordToken).toBeUndefined();
  });

  it('reads and coerces values, treating blank as unset', () => {
    const c = loadConfig({ RUNMEDIC_DB: '/data/x.db', HTTP_PORT: '9000', LOG_LEVEL: 'debug', DISCORD_GUILD_ID: '123456789012345678', DISCORD_TOKEN: '' });
    expect(c).toMatchObject({ dbPath: '/data/x.db', httpPort: 9000, logLevel: 'debug', discordGuildId: '123456789012345678' });
    expect(c.discordToken).toBeUndefined();
  });

  it('names every bad variable and what was expected, without echoing the value', () => {
    let err: unknown;
    try {
      loadConfig({ HTTP_PORT: '99999', LOG_LEVEL: 'loud', RUNMEDIC_DB: 'dir/', DISCORD_TOKEN: 'has space secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toContain('HTTP_PORT: expected a TCP port (1–65535)');
    expect(problems.some((p) => p.startsWith('LOG_LEVEL: expected one of'))).toBe(true);
    expect(problems.some((p) => p.startsWith('RUNMEDIC_DB: expected a file path'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DISCORD_TOKEN: expected'))).toBe(true);
    expect((err as Error).message).not.toContain('secret');
  });

  it('.env.example documents every variable config reads', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const name of CONFIG_ENV_NAMES) expect(example).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
  });
});
