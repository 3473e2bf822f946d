/**
 * Reads a request body as JSON with a hard byte limit: a declared Content-Length over the limit is refused before
 * reading, and a chunked body is cut off as soon as it passes the limit (the rest is never buffered).
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `expected Content-Type: application/json, got ${type ? JSON.stringify(type) : 'none'}`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, 'body_too_large', `the body is ${declared} bytes, more than the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, 'body_too_large', `the body is more than the ${maxBytes}-byte limit`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'the body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON (${(e as Error).message})`);
  }
}
