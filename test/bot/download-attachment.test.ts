/** The upload download: only Discord's file host, no redirects, size enforced while streaming. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentHosts, downloadAttachment } from '../../src/bot/download-attachment.ts';

describe('downloadAttachment', () => {
  let server: http.Server;
  let host: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') res.end('epoch,loss\n0,1\n');
      else if (req.url === '/redirect') res.writeHead(302, { location: 'http://example.invalid/x' }).end();
      else if (req.url === '/lying') {
        // Claims nothing about its size and streams more than allowed.
        res.writeHead(200);
        res.end(Buffer.alloc(5000, 65));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("knows Discord's own hosts, or the stand-in's", () => {
    expect(attachmentHosts(undefined)).toEqual(['cdn.discordapp.com', 'media.discordapp.net']);
    expect(attachmentHosts('http://127.0.0.1:9999/api')).toEqual(['127.0.0.1:9999']);
  });

  it('downloads from an allowed host', async () => {
    const bytes = await downloadAttachment({ url: `http://${host}/ok`, name: 'a.csv', size: 15 }, 1000, [host]);
    expect(new TextDecoder().decode(bytes)).toBe('epoch,loss\n0,1\n');
  });

  it('refuses other hosts, redirects and oversize bodies in plain words', async () => {
    await expect(downloadAttachment({ url: `http://${host}/ok`, name: 'a.csv', size: 15 }, 1000, ['cdn.discordapp.com'])).rejects.toThrow(
      "a.csv: the attachment is not on Discord's file server",
    );
    await expect(downloadAttachment({ url: `http://${host}/redirect`, name: 'r.csv', size: 15 }, 1000, [host])).rejects.toThrow(/could not download/);
    await expect(downloadAttachment({ url: `http://${host}/lying`, name: 'big.csv', size: 10 }, 1000, [host])).rejects.toThrow(
      /big\.csv is .*; the limit is 1000 bytes \(INGEST_MAX_BYTES\)/,
    );
  });
});
