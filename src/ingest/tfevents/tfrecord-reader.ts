import { IngestError } from '../ingest-error.ts';
import { maskedCrc32c } from './crc32c.ts';

/**
 * TFRecord framing, one record after another:
 *   u64le length | u32le masked CRC-32C of those 8 bytes | payload (length bytes) | u32le masked CRC-32C of the payload
 */
export const RECORD_HEADER_BYTES = 12;
export const RECORD_FOOTER_BYTES = 4;

export interface TfRecordStats {
  /** Records whose payload CRC checked out and that were handed to the callback. */
  records: number;
  /** Byte offsets of records skipped because their payload CRC did not match. */
  badPayloadCrcOffsets: number[];
  /** Byte offset where an incomplete last record starts (the writer was still running or was killed), or null. */
  truncatedAt: number | null;
}

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/**
 * Walks the records of `bytes` in place (no copies) and calls `onRecord(start, end, offset)` with the payload range
 * and the record's own byte offset. A record that would extend past the end of the bytes is treated as the truncated
 * tail, never trusted. A bad length CRC means the framing itself is lost, so it is an IngestError naming the offset.
 */
export function readTfRecords(
  bytes: Uint8Array,
  file: string,
  onRecord: (start: number, end: number, offset: number) => void,
): TfRecordStats {
  const n = bytes.length;
  const stats: TfRecordStats = { records: 0, badPayloadCrcOffsets: [], truncatedAt: null };
  let o = 0;
  while (o < n) {
    if (n - o < RECORD_HEADER_BYTES) {
      stats.truncatedAt = o;
      break;
    }
    if (maskedCrc32c(bytes, o, o + 8) !== u32le(bytes, o + 8)) {
      throw new IngestError({
        file,
        reason: `bad length CRC at byte ${o} (record ${stats.records + stats.badPayloadCrcOffsets.length + 1}): not a TFRecord/event file, or corrupted here`,
      });
    }
    const lo = u32le(bytes, o);
    const hi = u32le(bytes, o + 4);
    const start = o + RECORD_HEADER_BYTES;
    // hi !== 0 means a length of 4 GiB or more: beyond any file we hold in memory.
    if (hi !== 0 || lo > n - start - RECORD_FOOTER_BYTES) {
      stats.truncatedAt = o;
      break;
    }
    const end = start + lo;
    if (maskedCrc32c(bytes, start, end) !== u32le(bytes, end)) {
      stats.badPayloadCrcOffsets.push(o);
    } else {
      stats.records++;
      onRecord(start, end, o);
    }
    o = end + RECORD_FOOTER_BYTES;
  }
  return stats;
}

/** True when `bytes` starts with a complete record whose length CRC checks out (1 in 2^32 by chance). */
export function firstTfRecord(bytes: Uint8Array): { start: number; end: number } | null {
  if (bytes.length < RECORD_HEADER_BYTES + RECORD_FOOTER_BYTES) return null;
  if (maskedCrc32c(bytes, 0, 8) !== u32le(bytes, 8)) return null;
  const lo = u32le(bytes, 0);
  if (u32le(bytes, 4) !== 0 || lo > bytes.length - RECORD_HEADER_BYTES - RECORD_FOOTER_BYTES) return null;
  return { start: RECORD_HEADER_BYTES, end: RECORD_HEADER_BYTES + lo };
}
