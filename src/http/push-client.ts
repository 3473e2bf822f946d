/**
 * A client of the push API (README "Live runs"), one attempt per call: what `runmedic watch --server` sends with.
 * Failures are sorted for the caller's retry loop: unreachable, timed out, 5xx, 408 and 429 may pass (429 says when);
 * 413 asks for smaller batches; any other refusal (a bad token, an unknown run) would be refused again.
 */
import type { PushPoint } from '../app/live-series.ts';
import { SinkError, type FinalRunStatus, type LiveRunSink } from '../app/live-run-sink.ts';

export interface PushClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  token: string;
  /** Per request (ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function pushClient(o: PushClientOptions): LiveRunSink {
  const base = o.url.replace(/\/+$/, '');
  const doFetch = o.fetch ?? fetch;
  const timeoutMs = o.timeoutMs ?? 15_000;

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new SinkError(`cannot reach ${base}: ${reasonOf(e)}`, true);
    }
    let text = '';
    try {
      text = await res.text();
    } catch (e) {
      throw new SinkError(`${base} closed the connection mid-answer: ${reasonOf(e)}`, true);
    }
    if (res.ok) {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new SinkError(`${base}${path} answered ${res.status} with something that is not JSON (is this a runmedic server?)`, false);
      }
    }
    const detail = errorDetail(text);
    const what = `${base}${path} answered ${res.status}${detail ? `: ${detail}` : ''}`;
    if (res.status === 429) {
      const secs = Number(res.headers.get('retry-after'));
      throw new SinkError(what, true, { retryAfterMs: Number.isFinite(secs) && secs > 0 ? secs * 1000 : undefined });
    }
    if (res.status === 413) throw new SinkError(what, false, { tooLarge: true });
    throw new SinkError(what, res.status >= 500 || res.status === 408);
  }

  return {
    target: base,
    kind: 'server',
    async createRun({ name, key, framework }) {
      const body = await post('/api/v1/runs', { name, clientRunId: key, ...(framework ? { framework } : {}) });
      if (typeof body.id !== 'string') throw new SinkError(`${base}/api/v1/runs answered without a run id (is this a runmedic server?)`, false);
      return { id: body.id };
    },
    async pushPoints(runId, points: PushPoint[]) {
      const body = await post(`/api/v1/runs/${encodeURIComponent(runId)}/metrics`, { points });
      return { alerts: typeof body.alerts === 'number' ? body.alerts : 0 };
    },
    async finishRun(runId, status: FinalRunStatus) {
      await post(`/api/v1/runs/${encodeURIComponent(runId)}/finish`, { status });
    },
  };
}

/** `ECONNREFUSED`, `timed out` …: the useful part of fetch's "fetch failed". */
function reasonOf(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer in time';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** The API's `{error, detail}`, shortened. */
function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; detail?: unknown };
    const d = typeof j.detail === 'string' ? j.detail : typeof j.error === 'string' ? j.error : '';
    return d.length > 300 ? `${d.slice(0, 300)}…` : d;
  } catch {
    return text.slice(0, 120).trim();
  }
}
