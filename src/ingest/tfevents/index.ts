/** TensorBoard event files (`events.out.tfevents.*`): what ingest/index.ts dispatches to. */
import { decodeEvent, MalformedProtobuf } from './event-decoder.ts';
import { firstTfRecord } from './tfrecord-reader.ts';

export { parseTfeventsTree } from './parse-tfevents-tree.ts';

/**
 * Content check, never by file name: the first record's length CRC checks out (a 1 in 2^32 accident otherwise)
 * and its payload decodes as an Event with a wall time (TensorFlow's first record carries file_version "brain.Event:N").
 */
export function isTfeventsFile(bytes: Uint8Array): boolean {
  const rec = firstTfRecord(bytes);
  if (!rec) return false;
  try {
    const ev = decodeEvent(bytes, rec.start, rec.end);
    return ev.fileVersion.startsWith('brain.Event:') || (ev.kind !== 'none' && ev.wallTime > 0);
  } catch (e) {
    if (e instanceof MalformedProtobuf) return false;
    throw e;
  }
}
