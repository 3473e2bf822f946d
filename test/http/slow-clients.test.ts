/**
 * Issue 17, points 2 and 3, over real sockets: slow clients are bounded (headers, whole request, idle keep-alive,
 * open connections), requests without a valid token are rate-limited per address too, and a client that goes away
 * is a debug line rather than an error with a stack. Each case held before the fix: a trickled body kept its
 * connection past 150 s, 3,000 connections were held at once, 300 unknown-token requests all got 401.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { ApiHarness } from './api-harness.ts';

interface Ended {
  /** What the server wrote before closing. */
  got: string;
  /** ms from connecting until the server closed the connection. */
  ms: number;
}

/** Opens a socket, writes `chunks` one by one every `everyMs`, and resolves when the server closes it. */
function trickle(port: number, chunks: string[], everyMs: number, capMs = 20_000): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    let k = 0;
    const timer = setInterval(() => {
      if (k < chunks.length && !sock.destroyed) sock.write(chunks[k++]!);
    }, everyMs);
    const cap = setTimeout(() => {
      clearInterval(timer);
      sock.destroy();
      reject(new Error(`still open after ${capMs} ms; the server wrote: ${got.slice(0, 200)}`));
    }, capMs);
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(cap);
      resolve({ got, ms: performance.now() - started });
    });
  });
}

const lines: Array<{ level: number; msg: string; err?: unknown; code?: string }> = [];
const collect = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    done();
  },
});

describe('slow and hostile HTTP clients', { timeout: 60_000 }, () => {
  let h: ApiHarness;
  let token: string;
  let runId: string;
  beforeAll(async () => {
    h = await ApiHarness.start({
      server: {
        headersTimeoutMs: 1000,
        requestTimeoutMs: 1500,
        idleTimeoutMs: 1000,
        maxConnections: 6,
        anonRatePerSecond: 1,
        anonRateBurst: 10,
        log: createLogger({ level: 'debug', destination: collect, pretty: false }),
        now: Date.now,
      },
    });
    token = await h.token('111111');
    runId = (await h.call('POST', '/api/v1/runs', token, { name: 'slow' })).body.id;
  });
  afterAll(() => h.stop());

  const head = (len: number) => `POST /api/v1/runs/${runId}/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`;

  it('a body trickled byte by byte is cut at the request timeout with a 408', async () => {
    const body = JSON.stringify({ points: [{ step: 0, metrics: { loss: 1 } }] });
    const r = await trickle(h.api.port, [head(body.length), ...body.split('')], 150);
    expect(r.got).toMatch(/^HTTP\/1\.1 408/);
    expect(r.ms).toBeLessThan(5000);
  });

  it('a body still trickling after its request was refused (no token) is not left open', async () => {
    const refusedHead = `POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const r = await trickle(h.api.port, [`${refusedHead}{"name": `], 300);
    expect(r.got).toMatch(/^HTTP\/1\.1 401/);
    // Closed with the answer, not when the request timeout (1.5 s here) comes round.
    expect(r.ms).toBeLessThan(1200);
  });

  it('headers trickled line by line are cut at the headers timeout', async () => {
    const parts = [`GET /api/v1/runs/${runId}/verdict HTTP/1.1\r\n`, ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await trickle(h.api.port, parts, 100);
    expect(r.got).toMatch(/^HTTP\/1\.1 408|^$/);
    expect(r.ms).toBeLessThan(4000);
  });

  it('a connection that never sends anything is closed', async () => {
    const r = await trickle(h.api.port, [], 1000);
    expect(r.ms).toBeLessThan(5000);
  });

  it('a kept-alive connection left idle after its answer is closed at the idle timeout', async () => {
    const r = await trickle(h.api.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], 10);
    expect(r.got).toMatch(/^HTTP\/1\.1 200/);
    expect(r.ms).toBeGreaterThan(800);
    expect(r.ms).toBeLessThan(4000);
  });

  it('connections beyond the cap are closed as they arrive, and the server answers again once they go', async () => {
    const held = await Promise.all(
      Array.from({ length: 6 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(h.api.port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      })),
    );
    await new Promise((r) => setTimeout(r, 100));
    const extra = await trickle(h.api.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], 10, 3000);
    expect(extra.got).toBe('');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.call('GET', '/healthz', null)).status).toBe(200);
  });

  it('requests with an unknown token get 429 after a burst, while a valid token from the same address still works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await h.call('GET', `/api/v1/runs/${runId}/verdict`, 'rmk_not_a_real_token')).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(12)).toEqual(Array(18).fill(429));
    const limited = await h.call('GET', `/api/v1/runs/${runId}/verdict`, null);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await h.call('GET', `/api/v1/runs/${runId}/verdict`, token)).status).toBe(200);
  });

  it('a client that goes away mid-body is a debug line, not an error with a stack', async () => {
    lines.length = 0;
    await new Promise<void>((resolve) => {
      const sock = net.connect(h.api.port, '127.0.0.1', () => {
        sock.write(head(10_000) + '{"points": [');
        setTimeout(() => {
          sock.resetAndDestroy();
          resolve();
        }, 100);
      });
      sock.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.some((l) => l.level === 20 && l.msg === 'http client went away')).toBe(true);
  });
});
