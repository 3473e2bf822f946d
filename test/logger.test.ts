import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, lazyLogger } from '../src/logger.ts';

function collector() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz012345';

describe('createLogger', () => {
  it('never writes a token, whether in a redacted field or in free text', () => {
    const { lines, stream } = collector();
    const log = createLogger({ level: 'trace', pretty: false, destination: stream, secrets: [TOKEN] });
    log.info({ token: TOKEN }, 'top-level token');
    log.info({ config: { discordToken: TOKEN } }, 'config');
    log.info({ req: { headers: { authorization: `Bot ${TOKEN}` } } }, 'request');
    log.info({ headers: { authorization: `Bot ${TOKEN}` } }, 'headers');
    log.info({ env: { DISCORD_TOKEN: TOKEN } }, 'env');
    log.warn(`login failed with ${TOKEN}`);
    log.error({ err: new Error(`401 for token ${TOKEN}`) }, 'error object');
    log.info({ deep: { a: { b: { c: TOKEN } } } }, 'deeply nested, only caught by value');
    expect(lines).toHaveLength(8);
    const all = lines.join('');
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('[Redacted]');
    expect(JSON.parse(lines[0]!).msg).toBe('top-level token');
  });

  it('redacts token fields even when the secret value is not known', () => {
    const { lines, stream } = collector();
    const log = createLogger({ level: 'info', pretty: false, destination: stream });
    log.info({ token: 'abc-unknown-token', user: { token: 'x-unknown-2' }, headers: { authorization: 'Bearer zzz-3' } }, 'm');
    const all = lines.join('');
    for (const s of ['abc-unknown-token', 'x-unknown-2', 'zzz-3']) expect(all).not.toContain(s);
  });

  it('pretty output also carries no token', () => {
    const chunks: string[] = [];
    const dest = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
    const log = createLogger({ level: 'info', pretty: true, destination: dest as never, secrets: [TOKEN] });
    log.info({ token: TOKEN }, `hello ${TOKEN}`);
    expect(chunks.join('')).toContain('hello');
    expect(chunks.join('')).not.toContain(TOKEN);
  });
});

// The CLI's logger is made on first use, so a command that never logs never loads pino (src/cli/main.ts).
describe('lazyLogger', () => {
  it('logs, once used, with the same level, redaction and scrubbing as createLogger', async () => {
    const { lines, stream } = collector();
    const log = lazyLogger({ level: 'info', pretty: false, destination: stream, secrets: [TOKEN] });
    expect(await Promise.resolve(log)).toBe(log);
    log.debug('below the level');
    expect(lines).toHaveLength(0);
    log.info({ token: TOKEN, user: { token: 'x-unknown-2' } }, `hello ${TOKEN}`);
    const info = log.info;
    info('a method read off the logger keeps it as this');
    log.child({ component: 'worker' }).warn({ headers: { authorization: 'Bearer zzz-3' } }, 'from a child');
    log.level = 'debug';
    log.debug('now at debug');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect(lines).toHaveLength(4);
    const all = lines.join('');
    for (const s of [TOKEN, 'x-unknown-2', 'zzz-3']) expect(all).not.toContain(s);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['hello [Redacted]', 'a method read off the logger keeps it as this', 'from a child', 'now at debug']);
    expect(JSON.parse(lines[2]!).component).toBe('worker');
  });
});
