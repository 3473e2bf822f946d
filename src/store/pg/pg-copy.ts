/**
 * `COPY … FROM STDIN (FORMAT binary)` over node-postgres, for writing many rows in one statement (a 1 M-row ingest is
 * over a thousand 32 KiB chunk rows). Compared with multi-row INSERTs with bound parameters:
 * - one statement instead of one per 64 rows, and no round trip between them: the rows stream to the server while
 *   runmedic encodes the next ones, so on two cores the encoding and PostgreSQL's insert overlap;
 * - each blob is copied once, into the message that carries it (pg's Bind serializer grows its buffer by copying it
 *   over and over for megabyte messages), and the server reads the binary fields as they are.
 *
 * It is a node-postgres Submittable (`client.query(x)` hands the connection to `x.submit`; pg-cursor and
 * pg-copy-streams work this way), written here rather than taken from pg-copy-streams: it is the protocol's three
 * messages (CopyData, CopyDone, CopyFail) around rows we encode ourselves, and a plain iterator with backpressure
 * suits the store better than a Writable.
 *
 * Failure: an error the server raises mid-COPY (a constraint, a lost connection) rejects with that error and ends the
 * statement; an error thrown while producing the rows is sent as CopyFail, so the server aborts the COPY, and rejects
 * with the thrown error. Either way nothing of the COPY is kept and, inside a transaction, the transaction is aborted:
 * the caller rolls back. The client stays usable (the server answers ReadyForQuery after the error).
 *
 * Reading, `COPY (SELECT …) TO STDOUT (FORMAT binary)` (copyTo) returns bytea as the bytes themselves: a query's
 * result comes as text, bytea hex-encoded by the server and decoded by pg (twice the bytes, and for a 5 M-point run
 * most of its load time).
 */
import type { Connection } from 'pg';
import type { PgClient } from './pg-database.ts';

/** A field of a binary COPY row: int4 (a number), text (a string), bytea (bytes) or NULL. */
export type CopyField = number | string | Uint8Array | null;

/** Bytes of one CopyData message when rows are gathered (a larger row gets a message of its own size). */
const MESSAGE_BYTES = 1 << 20;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Encodes rows in PostgreSQL's binary COPY format (header, rows, trailer), cut into complete CopyData protocol
 * messages of about MESSAGE_BYTES, ready for the socket. Numbers are int4, strings text (UTF-8), Uint8Arrays bytea;
 * each field is copied into the message as the iterator is pulled, so the rows may be views of the caller's memory.
 */
export function* binaryCopyMessages(rows: Iterable<readonly CopyField[]>): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(MESSAGE_BYTES);
  // Bytes 0-4 of each message are its header ('d' + int32 length), written when the message is complete.
  let at = 5;
  const finish = (): Buffer => {
    buf[0] = 0x64;
    buf.writeInt32BE(at - 1, 1);
    return buf.subarray(0, at);
  };
  const room = (bytes: number): Buffer | null => {
    if (at + bytes <= buf.length) return null;
    const full = at > 5 ? finish() : null;
    buf = Buffer.allocUnsafe(Math.max(MESSAGE_BYTES, bytes + 5));
    at = 5;
    return full;
  };
  SIGNATURE.copy(buf, at);
  at += SIGNATURE.length;
  buf.writeInt32BE(0, at); // flags: no OIDs
  buf.writeInt32BE(0, at + 4); // header extension length
  at += 8;
  for (const row of rows) {
    let bytes = 2;
    for (const f of row) bytes += 4 + (f === null ? 0 : typeof f === 'number' ? 4 : typeof f === 'string' ? Buffer.byteLength(f) : f.byteLength);
    const full = room(bytes);
    if (full) yield full;
    buf.writeInt16BE(row.length, at);
    at += 2;
    for (const f of row) {
      if (f === null) {
        buf.writeInt32BE(-1, at);
        at += 4;
      } else if (typeof f === 'number') {
        buf.writeInt32BE(4, at);
        // Throws (RangeError) for a number that is not an int4.
        buf.writeInt32BE(f, at + 4);
        at += 8;
      } else if (typeof f === 'string') {
        const n = buf.write(f, at + 4, 'utf8');
        buf.writeInt32BE(n, at);
        at += 4 + n;
      } else {
        buf.writeInt32BE(f.byteLength, at);
        buf.set(f, at + 4);
        at += 4 + f.byteLength;
      }
    }
  }
  const full = room(2);
  if (full) yield full;
  buf.writeInt16BE(-1, at); // trailer
  at += 2;
  yield finish();
}

/** Runs `sql` (a COPY … FROM STDIN) on `client`, sending `messages` (complete CopyData messages); resolves to the row count. */
export function copyFrom(client: PgClient, sql: string, messages: Iterable<Buffer>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    client.query(new CopyIn(sql, messages[Symbol.iterator](), resolve, reject));
  });
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

function copyFail(message: string): Buffer {
  const text = Buffer.from(message.replace(/\0/g, ' ').slice(0, 500), 'utf8');
  const b = Buffer.allocUnsafe(6 + text.length);
  b[0] = 0x66;
  b.writeInt32BE(5 + text.length, 1);
  text.copy(b, 5);
  b[5 + text.length] = 0;
  return b;
}

/** Resolves once `stream` can take more (or is gone: the client reports that to the query). */
function writable(stream: Connection['stream']): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** The Submittable behind copyFrom (the handle* methods are what pg's Client calls on its active query). */
class CopyIn {
  private settled = false;
  private rowCount = 0;
  /** An error thrown while producing the rows: what the caller is told (the server's answer names only the CopyFail). */
  private producerError: unknown = null;
  /** The connection's socket once the server is in copy-in mode. */
  private stream: Connection['stream'] | null = null;
  /** CopyDone or CopyFail sent. */
  private ended = false;

  /**
   * pg wraps this when a client-side query_timeout is set (its timer is cleared when it is called), as for its own
   * queries; called once the COPY is settled.
   */
  callback: (error: unknown, rows?: number) => void = () => undefined;

  constructor(
    readonly text: string,
    private readonly messages: Iterator<Buffer>,
    private readonly resolve: (rows: number) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    this.stream = connection.stream;
    void this.pump(connection.stream);
  }

  private async pump(stream: Connection['stream']): Promise<void> {
    try {
      for (;;) {
        // Settled: the server refused the COPY (or the connection is gone); it drops whatever we would send.
        if (this.settled || !stream.writable) return;
        const next = this.messages.next();
        if (next.done) break;
        if (!stream.write(next.value)) await writable(stream);
      }
      if (this.settled) return;
      this.ended = true;
      stream.write(COPY_DONE);
    } catch (e) {
      if (this.settled) return;
      this.producerError = e;
      // The server aborts the COPY and answers with an error: handleError.
      this.fail(`runmedic: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Ends copy-in mode with CopyFail unless it ended; the server drops it when it already left that mode. */
  private fail(message: string): void {
    if (this.ended || !this.stream?.writable) return;
    this.ended = true;
    this.stream.write(copyFail(message));
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    this.callback(null, this.rowCount);
    this.resolve(this.rowCount);
  }

  handleError(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    // An error of the client's own (pg's query_timeout) leaves the server waiting for rows: end its copy-in mode.
    this.fail(`runmedic: ${(error as Error)?.message ?? String(error)}`);
    this.messages.return?.();
    let e = error;
    if (this.producerError !== null) {
      e = this.producerError;
      if (e instanceof Error && e.cause === undefined) e.cause = error;
    }
    this.callback(e);
    this.reject(e);
  }

  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * Runs `sql` (a COPY … TO STDOUT (FORMAT binary)) on `client`, calling `onRow` with each row's fields as they arrive
 * (each field its bytes or null; int4 as 4 big-endian bytes: readInt4). The fields are views of the connection's read
 * buffer, valid during the call only: copy or decode them there. Nothing is gathered, so a large result costs no
 * memory beyond the rows' own use. An error `onRow` throws rejects the COPY (the rest of it is read and dropped).
 * Resolves to the number of rows. COPY takes no bind parameters: values in `sql` must be literals (escapeLiteral).
 */
export function copyTo(client: PgClient, sql: string, onRow: (fields: (Buffer | null)[]) => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    client.query(new CopyOut(sql, new BinaryCopyReader(onRow), resolve, reject));
  });
}

/** An int4 field of a binary COPY row. */
export function readInt4(field: Buffer | null): number {
  if (field === null || field.length !== 4) throw new Error('malformed binary COPY data: not an int4');
  return field.readInt32BE(0);
}

const malformed = (why: string) => new Error(`malformed binary COPY data: ${why}`);

/**
 * Reads PostgreSQL's binary COPY format from pieces as they come. The server sends one row per CopyData message, so a
 * row is read from the message itself; a row cut across pieces (not what PostgreSQL does) is put together first.
 */
export class BinaryCopyReader {
  private carry: Buffer | null = null;
  private headerRead = false;
  private ended = false;
  rows = 0;

  constructor(private readonly onRow: (fields: (Buffer | null)[]) => void) {}

  push(piece: Buffer): void {
    let data = this.carry ? Buffer.concat([this.carry, piece]) : piece;
    this.carry = null;
    let at = 0;
    if (!this.headerRead) {
      if (data.length < 19) return this.keep(data, 0);
      if (!data.subarray(0, 11).equals(SIGNATURE)) throw malformed('no header');
      const skip = 19 + data.readInt32BE(15);
      if (data.length < skip) return this.keep(data, 0);
      this.headerRead = true;
      at = skip;
    }
    while (at < data.length) {
      if (this.ended) throw malformed('data after the trailer');
      const row = this.readRow(data, at);
      if (row === null) return this.keep(data, at);
      at = row.next;
      if (row.fields === null) this.ended = true;
      else {
        this.rows++;
        this.onRow(row.fields);
      }
    }
  }

  /** Throws unless the stream ended with its trailer. */
  end(): void {
    if (!this.ended || this.carry) throw malformed('truncated');
  }

  private keep(data: Buffer, from: number): void {
    this.carry = Buffer.from(data.subarray(from));
  }

  /** The row at `at` (null fields: the trailer), or null when `data` ends before it does. */
  private readRow(data: Buffer, at: number): { fields: (Buffer | null)[] | null; next: number } | null {
    if (at + 2 > data.length) return null;
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) return { fields: null, next: at };
    if (count < 0) throw malformed('negative field count');
    const fields: (Buffer | null)[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (at + 4 > data.length) return null;
      const n = data.readInt32BE(at);
      at += 4;
      if (n === -1) fields[i] = null;
      else if (n < 0) throw malformed('negative field length');
      else {
        if (at + n > data.length) return null;
        fields[i] = data.subarray(at, at + n);
        at += n;
      }
    }
    return { fields, next: at };
  }
}

/** The Submittable behind copyTo. */
class CopyOut {
  private settled = false;
  /** An error reading the rows (or thrown by onRow): the COPY is read to its end, then rejected with it. */
  private failure: unknown = null;
  callback: (error: unknown, rows?: number) => void = () => undefined;

  constructor(
    readonly text: string,
    private readonly reader: BinaryCopyReader,
    private readonly resolve: (rows: number) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.settled || this.failure !== null) return;
    try {
      this.reader.push(msg.chunk);
    } catch (e) {
      this.failure = e;
    }
  }

  handleCopyInResponse(connection: Connection): void {
    // Not a COPY … TO: refuse to send rows.
    this.failure = new Error('copyTo was given a COPY FROM');
    if (connection.stream.writable) connection.stream.write(copyFail('runmedic: copyTo was given a COPY FROM'));
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    if (this.failure === null) {
      try {
        this.reader.end();
      } catch (e) {
        this.failure = e;
      }
    }
    if (this.failure !== null) return this.handleError(this.failure);
    this.settled = true;
    this.callback(null, this.reader.rows);
    this.resolve(this.reader.rows);
  }

  handleError(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.callback(error);
    this.reject(error);
  }

  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
}
