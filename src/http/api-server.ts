/**
 * The ingest HTTP API. Built on Node's own http module rather than a framework: the surface is six routes, and we
 * need direct control of the raw body (a byte limit enforced while streaming, before anything is buffered) and of
 * when the response is written (only after the batch, its verdict and any pings are committed). No new dependency.
 * This face only parses, authenticates and presents; the behaviour lives in src/app/push-run.ts.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { verifyApiToken, type TokenIdentity } from '../app/api-tokens.ts';
import { PushConflictError, PushInputError, PushNotFoundError, type PushService } from '../app/push-run.ts';
import type { PushStore } from '../app/push-store.ts';
import type { Logger } from '../logger.ts';
import type { DatabaseHealth } from '../store/open-stores.ts';
import { createRunSchema, datasetStatsSchema, describeZodError, finishSchema, metricsBatchSchema } from './api-schemas.ts';
import { normaliseCreateRunBody } from './create-run-body.ts';
import { HttpError } from './http-error.ts';
import { discardBody, readJsonBody, tooLarge, type ReadJsonOptions } from './read-json-body.ts';
import { Router } from './router.ts';
import { TokenBucketLimiter } from './token-bucket.ts';

export interface ApiServerOptions {
  service: PushService;
  tokens: PushStore;
  log: Logger;
  /** Largest request body, bytes. */
  maxBodyBytes?: number;
  /** How much of a refused body is read and discarded so the client sees the 413, bytes (then the connection is cut). */
  maxDiscardBytes?: number;
  /** Per-token rate limit: sustained requests per second and burst. */
  ratePerSecond?: number;
  rateBurst?: number;
  /** Rate limit per client address of requests that do not authenticate (no or unknown token, unknown route). */
  anonRatePerSecond?: number;
  anonRateBurst?: number;
  /** Slow clients: headers, and the whole request, must arrive within these (ms); a kept-alive idle connection is closed after idleTimeoutMs. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Most connections open at once; those beyond are closed on arrival. */
  maxConnections?: number;
  now?: () => number;
  /** The database's state for /healthz (503 when it does not answer); without it /healthz says only that the process is up. */
  health?: () => Promise<DatabaseHealth>;
}

/** Defaults of the slow-client bounds (src/config.ts gives the service's). */
export const HTTP_LIMIT_DEFAULTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, idleTimeoutMs: 5_000, maxConnections: 256, anonRatePerSecond: 2, anonRateBurst: 30 } as const;

interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  who: TokenIdentity;
  body: (o?: ReadJsonOptions) => Promise<unknown>;
}

type Handler = (ctx: RequestContext) => Promise<{ status?: number; body: unknown }>;

export interface RunningApi {
  server: http.Server;
  /** The bound port (useful with port 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

export function createApiServer(o: ApiServerOptions): http.Server {
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const maxDiscard = o.maxDiscardBytes ?? Math.max(64 * 1024 * 1024, 16 * maxBody);
  const limiter = new TokenBucketLimiter(o.ratePerSecond ?? 50, o.rateBurst ?? 200, o.now);
  // Requests that never authenticate cost a token lookup and a log line each: they are limited too, per address.
  const anonLimiter = new TokenBucketLimiter(o.anonRatePerSecond ?? HTTP_LIMIT_DEFAULTS.anonRatePerSecond, o.anonRateBurst ?? HTTP_LIMIT_DEFAULTS.anonRateBurst, o.now);
  const s = o.service;
  const clock = o.now ?? Date.now;
  // last_used_at is for people reviewing tokens: once a minute per token is precise enough and spares a write per batch.
  const touched = new Map<string, number>();
  const router = new Router<Handler>()
    .add('POST', '/api/v1/runs', async ({ who, body }) => {
      const normalised = normaliseCreateRunBody(await body());
      if (normalised.problems.length > 0) throw new HttpError(400, 'invalid_body', normalised.problems.slice(0, 5).join('; '));
      const input = parse(createRunSchema, normalised.body);
      const { run, created } = await s.createRun(who, input);
      return { status: created ? 201 : 200, body: { id: run.id, name: run.name, status: run.status, created } };
    })
    .add('POST', '/api/v1/runs/:id/metrics', async ({ who, params, body }) => {
      const { points } = parse(metricsBatchSchema, await body({ allowNonFinite: true }));
      return { body: await s.pushMetrics(who, params.id!, points) };
    })
    .add('POST', '/api/v1/runs/:id/finish', async ({ who, params, body }) => {
      const { status } = parse(finishSchema, await body());
      const { run, verdict } = await s.finishRun(who, params.id!, status);
      return { body: { id: run.id, status: run.status, verdict } };
    })
    .add('POST', '/api/v1/runs/:id/dataset', async ({ who, params, body }) => {
      const stats = parse(datasetStatsSchema, await body());
      const verdict = await s.setDataset(who, params.id!, stats);
      return { body: { id: params.id, verdict } };
    })
    .add('GET', '/api/v1/runs/:id/verdict', async ({ who, params }) => ({ body: await s.verdict(who, params.id!) }));

  // Slow clients are bounded (issue 17: a client trickling its body held a connection past 150 s, and 3,000 such
  // connections were held at once): Node closes a request whose headers or whole body do not arrive in time (408),
  // an idle kept-alive connection, and connections beyond the cap as they arrive.
  const requestTimeout = o.requestTimeoutMs ?? HTTP_LIMIT_DEFAULTS.requestTimeoutMs;
  const headersTimeout = Math.min(o.headersTimeoutMs ?? HTTP_LIMIT_DEFAULTS.headersTimeoutMs, requestTimeout);
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: o.idleTimeoutMs ?? HTTP_LIMIT_DEFAULTS.idleTimeoutMs,
      // How often Node looks for requests past their time; its 30 s default would let a slow client stay that much longer.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 4))),
    },
    onRequest,
  );
  // (A connection that sends nothing at all is closed by the headers timeout too.)
  server.maxConnections = o.maxConnections ?? HTTP_LIMIT_DEFAULTS.maxConnections;
  // `Expect: 100-continue` (curl's default for large bodies): refuse an oversized body before the client sends it.
  // Node answers 100 itself unless this listener exists; then 'request' is ours to emit.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      const err = tooLarge(maxBody, declared);
      // The body was never sent: close rather than wait for it.
      send(res, 413, { error: err.error, detail: err.detail }, { connection: 'close' });
      o.log.info({ method: req.method, path: pathOf(req), status: 413 }, 'http');
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });
  return server;

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    handle(req, res).then(
      // Refusals at info, so a server at its default level shows who is turned away and why; successes at debug.
      (status) => o.log[status >= 400 ? 'info' : 'debug']({ method: req.method, path: pathOf(req), status, ms: +(performance.now() - started).toFixed(1) }, 'http'),
      (err) => {
        // A client that went away (reset, broken pipe, aborted upload, a timed-out slow body) is not a server fault.
        if (isClientGone(err, req)) {
          o.log.debug({ method: req.method, path: pathOf(req), code: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, 'http client went away');
          res.destroy();
          return;
        }
        o.log.error({ err, method: req.method, path: pathOf(req) }, 'http handler failed');
        if (!res.headersSent) send(res, 500, { error: 'internal', detail: 'internal error; see the server log' });
        else res.destroy();
      },
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    try {
      const path = pathOf(req);
      if (req.method === 'GET' && path === '/healthz') {
        if (!o.health) return send(res, 200, { ok: true });
        const database = await o.health();
        return send(res, database.ok ? 200 : 503, { ok: database.ok, database });
      }
      let route: ReturnType<typeof router.match>;
      let who: TokenIdentity;
      try {
        route = router.match(req.method ?? 'GET', path);
        who = await authenticate(req);
      } catch (e) {
        // Unauthenticated (or unroutable) requests spend their address's budget; past it they get 429.
        const anon = anonLimiter.take(`addr:${req.socket.remoteAddress ?? '?'}`);
        if (!anon.ok && e instanceof HttpError) {
          const secs = Math.max(1, Math.ceil(anon.retryAfterMs / 1000));
          throw new HttpError(429, 'rate_limited', `too many requests without a valid token from this address; retry in ${secs} s`, { 'retry-after': String(secs) });
        }
        throw e;
      }
      const { handler, params } = route;
      const rate = limiter.take(who.tokenId);
      if (!rate.ok) {
        const secs = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
        throw new HttpError(429, 'rate_limited', `too many requests for this token; retry in ${secs} s`, { 'retry-after': String(secs) });
      }
      const out = await handler({ req, params, who, body: (ro) => readJsonBody(req, maxBody, ro) });
      return send(res, out.status ?? 200, out.body);
    } catch (e) {
      const err = toHttpError(e);
      if (!err) throw e;
      if (err.status === 413 && !req.complete) {
        // The refused body is still arriving. Clients that send it all before reading (urllib, requests) must be let
        // finish, or they get a broken pipe instead of this answer: write the answer now, read and drop the rest (up
        // to a bound), and only then end the response, since ending it closes the socket under a client still sending.
        const text = JSON.stringify({ error: err.error, detail: err.detail });
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close', ...err.headers });
        res.write(text);
        discardBody(req, maxDiscard, () => res.end());
        return 413;
      }
      // Answered before its body arrived (no token, rate-limited, bad route): the connection closes with the answer, or a
      // client could go on trickling that body past every timeout (Node stops timing a request once it is answered).
      return send(res, err.status, { error: err.error, detail: err.detail }, req.complete ? err.headers : { ...err.headers, connection: 'close' });
    }
  }

  async function authenticate(req: IncomingMessage): Promise<TokenIdentity> {
    const header = req.headers.authorization;
    if (!header) throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer <token> header (make a token with /token create or `runmedic token create`)', { 'www-authenticate': 'Bearer' });
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, 'unauthorized', 'the Authorization header must be "Bearer <token>"', { 'www-authenticate': 'Bearer' });
    const who = await verifyApiToken(o.tokens, m[1]!);
    if (!who) throw new HttpError(401, 'unauthorized', 'unknown or revoked token', { 'www-authenticate': 'Bearer error="invalid_token"' });
    const t = clock();
    if (t - (touched.get(who.tokenId) ?? -Infinity) >= 60_000) {
      touched.set(who.tokenId, t);
      await o.tokens.touchToken(who.tokenId, t);
    }
    return who;
  }
}

/** Listens (port 0 picks a free one) and resolves once bound. */
export async function startApiServer(o: ApiServerOptions & { host: string; port: number }): Promise<RunningApi> {
  const server = createApiServer(o);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  o.log.info({ host: o.host, port }, 'HTTP API listening');
  return {
    server,
    port,
    url: `http://${hostForUrl}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, 'invalid_body', describeZodError(r.error));
  return r.data;
}

function toHttpError(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (e instanceof PushNotFoundError) return new HttpError(404, 'not_found', e.message);
  if (e instanceof PushConflictError) return new HttpError(409, 'conflict', e.message);
  if (e instanceof PushInputError) return new HttpError(400, 'invalid_body', e.message);
  return null;
}

const CLIENT_GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ERR_HTTP_REQUEST_TIMEOUT']);

/** Whether an error only says the client disconnected (or was disconnected for being too slow). */
export function isClientGone(err: unknown, req?: IncomingMessage): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e === 'object' && ((e.code && CLIENT_GONE_CODES.has(e.code)) || e.message === 'aborted')) return true;
  return Boolean(req && (req.destroyed || req.socket?.destroyed) && !(err instanceof HttpError));
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return status;
}
