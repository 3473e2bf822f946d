/**
 * Fetches a user's upload from the URL Discord put on the attachment, and from nowhere else: no redirects are
 * followed, and the size limit is enforced on the declared size, the Content-Length and the bytes as they stream.
 */
import { UserFacingError } from './command.ts';

export interface AttachmentRef {
  url: string;
  name: string;
  size: number;
}

/** Where Discord serves attachments; a stand-in (DISCORD_API_BASE) serves them from its own host. */
export function attachmentHosts(discordApiBase: string | undefined): string[] {
  return discordApiBase ? [new URL(discordApiBase).host] : ['cdn.discordapp.com', 'media.discordapp.net'];
}

export async function downloadAttachment(att: AttachmentRef, maxBytes: number, allowedHosts: string[], timeoutMs = 60_000): Promise<Uint8Array> {
  if (att.size > maxBytes) throw tooBig(att.name, att.size, maxBytes);
  let url: URL;
  try {
    url = new URL(att.url);
  } catch {
    throw new UserFacingError(`${att.name}: the attachment has no downloadable URL.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !allowedHosts.includes(url.host)) {
    throw new UserFacingError(`${att.name}: the attachment is not on Discord's file server; upload the file itself.`);
  }
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new UserFacingError(`${att.name}: could not download the attachment from Discord (${(e as Error).message}). Try again.`);
  }
  if (!res.ok || !res.body) throw new UserFacingError(`${att.name}: Discord answered ${res.status} for the attachment download. Try again.`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooBig(att.name, declared, maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooBig(att.name, total, maxBytes);
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooBig(name: string, size: number, max: number): UserFacingError {
  return new UserFacingError(`${name} is ${mib(size)}; the limit is ${mib(max)} (INGEST_MAX_BYTES).`);
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}
