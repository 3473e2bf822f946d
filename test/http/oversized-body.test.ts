/**
 * A body over the limit gets its 413 JSON `{error, detail}` whatever the client: one that sends everything before
 * reading (Python's urllib, what the example clients use), one that waits for `100 Continue` (curl's default for
 * big bodies), and one that streams chunked. None of them may see a broken pipe or a reset instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiHarness, commandWorks, runClient } from './api-harness.ts';

const LIMIT = 64 * 1024;
/** ~8 MB: more than loopback socket buffers absorb, so a server that stops reading really leaves the client mid-send (the reviewer's 6.4 MB batch). */
const bigBody = () => JSON.stringify({ points: Array.from({ length: 200_000 }, (_, i) => ({ step: i, metrics: { loss: 1 / (i + 1) } })) });

/** Sends a raw request over a socket, writing the whole body before reading, and returns everything the server said. */
function rawExchange(port: number, head: string, body: Buffer | null, o: { waitContinue?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    let sentBody = false;
    sock.on('data', (d) => {
      got += d.toString('latin1');
      // A client honouring Expect sends the body only after 100; on a final answer it sends nothing.
      if (o.waitContinue && !sentBody && /^HTTP\/1\.1 100/.test(got) && body) {
        sentBody = true;
        sock.write(body);
      }
    });
    sock.on('error', (e) => reject(new Error(`${e.message} after reading: ${got.slice(0, 200)}`)));
    sock.on('end', () => {
      sock.end();
      resolve(got);
    });
    sock.write(head);
    if (body && !o.waitContinue) sock.write(body, () => sock.end());
    else if (!body) sock.end();
  });
}

function parseResponse(raw: string): { status: number; body: any } {
  const finalStart = raw.search(/HTTP\/1\.1 (?!100)\d{3}/);
  const text = raw.slice(finalStart);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)![1]);
  return { status, body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) };
}

describe('413 reaches every kind of client', () => {
  let h: ApiHarness;
  let token: string;
  let runId: string;
  beforeAll(async () => {
    h = await ApiHarness.start({ server: { maxBodyBytes: LIMIT } });
    token = await h.token('111111');
    runId = (await h.call('POST', '/api/v1/runs', token, { name: 'big' })).body.id;
  });
  afterAll(() => h.stop());

  const head = (len: number, extra = '') =>
    `POST /api/v1/runs/${runId}/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\nConnection: close\r\n${extra}\r\n`;

  it('a client that writes the whole body before reading (no Expect) reads the 413 JSON', async () => {
    const body = Buffer.from(bigBody());
    expect(body.length).toBeGreaterThan(5 * LIMIT);
    const r = parseResponse(await rawExchange(h.api.port, head(body.length), body));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'body_too_large', detail: expect.stringMatching(/65536-byte limit/) });
  });

  it('an Expect: 100-continue client gets the 413 instead of 100 and never sends the body', async () => {
    const body = Buffer.from(bigBody());
    const raw = await rawExchange(h.api.port, head(body.length, 'Expect: 100-continue\r\n'), body, { waitContinue: true });
    expect(raw).not.toMatch(/^HTTP\/1\.1 100/);
    expect(parseResponse(raw)).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
  });

  it('an Expect: 100-continue client under the limit gets 100 and its batch is taken', async () => {
    const body = Buffer.from(JSON.stringify({ points: [{ step: 0, metrics: { loss: 1 } }] }));
    const raw = await rawExchange(h.api.port, head(body.length, 'Expect: 100-continue\r\n'), body, { waitContinue: true });
    expect(raw).toMatch(/^HTTP\/1\.1 100/);
    expect(parseResponse(raw)).toMatchObject({ status: 200, body: { accepted: 1 } });
  });

  it('a chunked body that passes the limit while streaming gets the 413 JSON, not a reset', async () => {
    const body = Buffer.from(bigBody());
    const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    const h2 = `POST /api/v1/runs/${runId}/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const r = parseResponse(await rawExchange(h.api.port, h2, chunked));
    expect(r).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
  });

  it.skipIf(!commandWorks('python3'))('Python urllib (what the example clients use) reads the 413 JSON', async () => {
    const code = `
import json, sys, urllib.request, urllib.error
url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = json.dumps({"points": [{"step": i, "metrics": {"loss": 1 / (i + 1)}} for i in range(n)]}).encode()
req = urllib.request.Request(url, data=body, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
try:
    urllib.request.urlopen(req)
    print("RESULT " + json.dumps({"status": 200}))
except urllib.error.HTTPError as e:
    print("RESULT " + json.dumps({"status": e.code, "body": json.loads(e.read())}))
`;
    const out = await runClient('python3', ['-c', code, `${h.api.url}/api/v1/runs/${runId}/metrics`, token, '200000']);
    expect(out.result).toMatchObject({ status: 413, body: { error: 'body_too_large', detail: expect.any(String) } });
  });

  it.skipIf(!commandWorks('curl'))("curl's default (Expect: 100-continue on a big body) shows the 413 JSON", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'runmedic-413-'));
    try {
      const file = path.join(dir, 'big.json');
      writeFileSync(file, bigBody());
      const url = `${h.api.url}/api/v1/runs/${runId}/metrics`;
      const out = await runClient('curl', ['-sS', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/json', '--data-binary', `@${file}`, '-w', '\nRESULT {"status":%{http_code}}\n', url]);
      expect(out.result).toEqual({ status: 413 });
      expect(JSON.parse(out.stdout.split('\n')[0]!)).toMatchObject({ error: 'body_too_large', detail: expect.any(String) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nothing of the refused batches was stored', async () => {
    expect((await h.runs.getRun(runId))?.points).toBe(1);
  });
});

describe('the drain of a refused body is bounded', () => {
  it('a client pushing far past the discard bound is cut off rather than read to the end', async () => {
    const h = await ApiHarness.start({ server: { maxBodyBytes: 1024, maxDiscardBytes: 64 * 1024 } });
    try {
      const token = await h.token('111111');
      const runId = (await h.call('POST', '/api/v1/runs', token, { name: 'huge' })).body.id;
      // 32 MB: far more than loopback buffers hold, so finishing the write needs the server to read it all.
      const body = Buffer.alloc(32 * 1024 * 1024, 0x20);
      const outcome = await new Promise<string>((resolve) => {
        const sock = net.connect(h.api.port, '127.0.0.1');
        sock.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
        sock.on('close', () => resolve('closed'));
        sock.write(`POST /api/v1/runs/${runId}/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
        sock.write(body, (err) => resolve(err ? `write failed ${(err as NodeJS.ErrnoException).code}` : 'all written'));
      });
      expect(outcome).not.toBe('all written');
    } finally {
      await h.stop();
    }
  });
});

