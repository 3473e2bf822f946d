/**
 * A chat message as a training log: its code blocks (or, without any, its text when it spans lines) and its
 * attachments that are not pictures or media, each read by the same readers as an upload (console output, CSV,
 * JSON …, sniffed from the content). Used by the "Diagnose log" message command and by run threads.
 */
import type { RunLog } from '../domain/run.ts';
import { isIngestError } from '../ingest/ingest-error.ts';
import { ingestAndReview, type ReviewDeps, type ReviewedRun } from './ingest-and-review.ts';
import { defaultLogParser, ingestBytes, type LogParser } from './ingest-files.ts';

export interface MessageAttachment {
  name: string;
  /** Bytes, as Discord declares it. */
  size: number;
  contentType?: string | null;
  download(): Promise<Uint8Array>;
}

export interface LogMessage {
  content: string;
  /** The author's display name. */
  authorName: string;
  /** ms since the Unix epoch. */
  createdAt: number;
  attachments: MessageAttachment[];
}

/** One piece of a message that may hold a log. */
export interface LogPart {
  /** How the user knows it: 'the code block', 'train.log'. */
  label: string;
  fileName: string;
  bytes: Uint8Array;
}

/** What was found in a message, for the sentence when none of it reads as a log. */
export interface LookedAt {
  codeBlocks: number;
  /** Text read as a whole (a message without code blocks). */
  text: boolean;
  /** Attachments tried, by name. */
  files: string[];
  /** Attachments not tried (pictures, media, too big), by name. */
  skipped: string[];
}

export interface ReadMessage {
  parts: { part: LogPart; logs: RunLog[] }[];
  /** Parts that do not read as a training log, with the reader's reason. */
  unreadable: { part: LogPart; reason: string }[];
  looked: LookedAt;
}

const MEDIA = /^(image|video|audio)\//i;
const MEDIA_EXT = /\.(png|jpe?g|gif|webp|bmp|svg|mp4|mov|webm|mkv|mp3|wav|ogg|flac|pdf)$/i;

/**
 * Fenced code blocks (```lang … ```), in order. An unclosed last fence runs to the end of the message: a paste cut
 * at Discord's length limit still holds its lines.
 */
export function codeBlocks(content: string): string[] {
  const out: string[] = [];
  const re = /```[^\n`]*\n?([\s\S]*?)(?:```|$(?![\s\S]))/g;
  for (let m = re.exec(content); m; m = re.exec(content)) {
    if (m[0].length === 0) break;
    if (m[1]!.trim()) out.push(m[1]!);
  }
  return out;
}

/** The message's text outside its code blocks. */
function prose(content: string): string {
  return content.replace(/```[\s\S]*?(?:```|$(?![\s\S]))/g, '\n');
}

const NAMED = /^(?:run|name|model|experiment|exp)\s*[:=]\s*(.{1,80}?)\s*$/i;
const TOKEN = /^[\w.\-/+@]{2,80}:?$/;

/**
 * The run's name: the one the first line gives (`run: resnet50-lr0.1`, or a lone `resnet50-lr0.1` above the
 * log), else the author and the time the message was posted (UTC).
 */
export function runNameForMessage(msg: Pick<LogMessage, 'content' | 'authorName' | 'createdAt'>): string {
  const firstLine = prose(msg.content)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  const firstOfBlock = codeBlocks(msg.content)[0]?.split('\n').find((l) => l.trim() !== '')?.trim();
  for (const line of [firstLine, firstOfBlock]) {
    if (!line) continue;
    // Markdown around a name (`**resnet50**`, `` `resnet50` ``) is not part of it.
    const bare = line.replace(/^([*_`]{1,3})(.*?)\1:?$/, '$2').replace(/^#+\s*/, '').trim();
    const named = NAMED.exec(bare)?.[1];
    if (named) return named.replace(/[*_`]+/g, '').trim();
    if (line === firstLine && TOKEN.test(bare) && /[a-z]/i.test(bare)) return bare.replace(/:$/, '');
  }
  return `${msg.authorName} ${new Date(msg.createdAt).toISOString().slice(0, 16).replace('T', ' ')}`;
}

/**
 * The pieces of a message that may hold a log, downloaded. Pictures and media are not tried, nor files above
 * `maxBytes`; a download that fails counts as not readable.
 */
export async function messageParts(msg: LogMessage, maxBytes: number): Promise<{ parts: LogPart[]; looked: LookedAt; failed: { part: LogPart; reason: string }[] }> {
  const enc = new TextEncoder();
  const blocks = codeBlocks(msg.content);
  const parts: LogPart[] = [];
  const failed: { part: LogPart; reason: string }[] = [];
  blocks.forEach((b, k) => parts.push({ label: blocks.length === 1 ? 'the code block' : `code block ${k + 1}`, fileName: `code-block-${k + 1}.txt`, bytes: enc.encode(b) }));
  // Without code blocks, a message of several lines may be the log itself (pasted without fences).
  const text = blocks.length === 0 && msg.content.trim().split('\n').length >= 2;
  if (text) parts.push({ label: 'the message text', fileName: 'message.txt', bytes: enc.encode(msg.content) });
  const looked: LookedAt = { codeBlocks: blocks.length, text, files: [], skipped: [] };
  for (const a of msg.attachments) {
    if (MEDIA.test(a.contentType ?? '') || MEDIA_EXT.test(a.name) || a.size > maxBytes) {
      looked.skipped.push(a.name);
      continue;
    }
    looked.files.push(a.name);
    try {
      parts.push({ label: a.name, fileName: a.name, bytes: await a.download() });
    } catch (e) {
      failed.push({ part: { label: a.name, fileName: a.name, bytes: new Uint8Array() }, reason: (e as Error).message });
    }
  }
  return { parts, looked, failed };
}

/** Reads each part with the readers of an upload; a part that reads as no training log is set aside with the reason. */
export function readParts(parts: LogPart[], maxBytes: number, parser: LogParser = defaultLogParser): Pick<ReadMessage, 'parts' | 'unreadable'> {
  const ok: ReadMessage['parts'] = [];
  const unreadable: ReadMessage['unreadable'] = [];
  for (const part of parts) {
    try {
      const logs = parser.parseFile(part.bytes, part.fileName, { maxInflatedBytes: maxBytes });
      if (logs.some((l) => l.series.length > 0)) ok.push({ part, logs });
      else unreadable.push({ part, reason: 'no curve in it' });
    } catch (e) {
      if (!isIngestError(e)) throw e;
      unreadable.push({ part, reason: e.reason });
    }
  }
  return { parts: ok, unreadable };
}

export interface MessageDiagnosis {
  /** The runs stored from the message, each with its report (empty: nothing read as a training log). */
  reviewed: ReviewedRun[];
  looked: LookedAt;
  unreadable: ReadMessage['unreadable'];
  name: string;
}

export interface DiagnoseMessageOptions {
  maxBytes: number;
  maxRunsPerFile?: number;
  /** The run's name (default: runNameForMessage). */
  name?: string;
  /** Whether the verdicts may ping (a run thread's update) or are only shown (a look someone asked for). */
  alert: boolean;
  parser?: LogParser;
}

/**
 * Reads a message's logs and stores each as a run named `name` (`name (2)` … for further pieces), diagnosed. The
 * same content diagnosed again is the run already stored.
 */
export async function diagnoseMessage(deps: ReviewDeps, msg: LogMessage, o: DiagnoseMessageOptions): Promise<MessageDiagnosis> {
  const name = o.name ?? runNameForMessage(msg);
  const { parts, looked, failed } = await messageParts(msg, o.maxBytes);
  const read = readParts(parts, o.maxBytes, o.parser);
  const reviewed: ReviewedRun[] = [];
  for (const [k, { part }] of read.parts.entries()) {
    const opts = { name: k === 0 ? name : `${name} (${k + 1})`, maxBytes: o.maxBytes, maxRunsPerFile: o.maxRunsPerFile, parser: o.parser };
    if (o.alert) reviewed.push(...(await ingestAndReview(deps, part.bytes, part.fileName, opts)));
    else {
      for (const ingested of await ingestBytes(deps.store, part.bytes, part.fileName, opts)) {
        reviewed.push({ ingested, report: await deps.reporter.report(ingested.run.id), alerts: [] });
      }
    }
  }
  return { reviewed, looked, unreadable: [...failed, ...read.unreadable], name };
}
