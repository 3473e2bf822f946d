/** The child process of data-check-process.ts: one request in, the result (or the error) out, then exit. */
import { checkDataFile, type DataCheckRequest } from './data-check.ts';
import { isIngestError } from '../ingest/ingest-error.ts';

process.once('message', (msg: { req: DataCheckRequest; bytes: Uint8Array }) => {
  let reply: unknown;
  try {
    const r = checkDataFile(Buffer.from(msg.bytes as unknown as ArrayBuffer), msg.req);
    reply = { ok: true, report: r.report, sheetPng: r.sheetPng ? Buffer.from(r.sheetPng).toString('base64') : null, sheetProblem: r.sheetProblem };
  } catch (e) {
    reply = isIngestError(e)
      ? { ok: false, ingest: { file: e.file, line: e.line, path: e.path, reason: e.reason }, message: e.message }
      : { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  process.send!(reply, () => process.exit(0));
});
