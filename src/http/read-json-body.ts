/**
 * Reads a request body as JSON with a hard byte limit: a declared Content-Length over the limit is refused before
 * reading, and a chunked body is cut off as soon as it passes the limit (the rest is never buffered).
 *
 * The stream is never destroyed here: a client that sends its whole body before reading (Python's urllib, requests)
 * would get a broken pipe instead of the 413. The server answers, then discards the rest (discardBody).
 */
import type { IncomingMessage } from 'node:http';
import { isIngestError } from '../ingest/ingest-error.ts';
import { parseJsonLenient } from '../ingest/json-lenient.ts';
import { HttpError } from './http-error.ts';

export interface ReadJsonOptions {
  /**
   * Accept the bare NaN, Infinity and -Infinity tokens Python's json.dumps writes by default (allow_nan=True), so a
   * metrics batch with a diverged loss is not refused for the very symptom it reports. Other JSON errors still fail.
   */
  allowNonFinite?: boolean;
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number, o: ReadJsonOptions = {}): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `expected Content-Type: application/json, got ${type ? JSON.stringify(type) : 'none'}`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes, declared);
  const text = await readText(req, maxBytes);
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'the body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (e) {
    if (o.allowNonFinite) {
      try {
        return parseJsonLenient(text, 'body');
      } catch (lenient) {
        throw new HttpError(400, 'invalid_json', `the body is not valid JSON (${isIngestError(lenient) ? lenient.reason : (lenient as Error).message})`);
      }
    }
    const hint = NON_FINITE_TOKEN.test(text) ? '. JSON has no NaN or Infinity: send null for a non-finite value (Python: float("nan") → None)' : '';
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON (${(e as Error).message})${hint}`);
  }
}

/** A bare NaN/Infinity outside strings, roughly: enough to explain a JSON.parse failure, never to accept anything. */
const NON_FINITE_TOKEN = /[:,\[]\s*-?(NaN|Infinity)\b/;

export function tooLarge(maxBytes: number, declared?: number): HttpError {
  const size = declared !== undefined ? `${declared} bytes, ` : '';
  return new HttpError(413, 'body_too_large', `the body is ${size}more than the ${maxBytes}-byte limit; send smaller batches`);
}

function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      chunks.length = 0;
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Reads and throws away what is left of a refused body, up to `maxBytes`, so the client finishes sending and reads
 * the answer already written; past the bound the connection is cut (a client pushing gigabytes gets a reset).
 * `done` runs once, when the body has ended or the connection is gone.
 */
export function discardBody(req: IncomingMessage, maxBytes: number, done: () => void = () => undefined): void {
  let called = false;
  const finish = () => {
    if (!called) {
      called = true;
      done();
    }
  };
  if (req.complete || req.destroyed) return finish();
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) req.socket.destroy();
  });
  req.on('end', finish);
  req.on('close', finish);
  req.on('error', () => undefined);
  req.resume();
}
