/**
 * Checking a client out of a node-postgres pool so that a lost connection is an error of the operation using it, never
 * of the process.
 *
 * pg-pool listens for 'error' only on idle clients. A checked-out client whose server goes away (a restart, a failover,
 * pg_terminate_backend, a cut network) emits 'error' with no listener, which Node turns into an uncaught exception:
 * the bot, API replica or worker dies. The query in flight, if any, is rejected anyway, and any later query on that
 * client fails ("not queryable"): the event only says the session is gone. Here it is listened for while the client is
 * out, remembered (`lost`), and such a client is closed when released, never returned to the pool.
 */
import type { PgClient, PgPool } from './pg-database.ts';

export interface CheckedOut {
  readonly client: PgClient;
  /** The connection's error when it was lost while checked out: its session (transaction, locks) is gone. */
  readonly lost: Error | undefined;
  /**
   * Returns the client to the pool; closes it instead when its connection was lost or `close` is set (a session that
   * may still hold a lock or an open transaction). Call once.
   */
  release(close?: boolean): void;
}

/** Checks a client out of `pool`; `onLost` is told when its connection is lost before it is released. */
export async function checkOut(pool: PgPool, onLost?: (e: Error) => void): Promise<CheckedOut> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (e: Error) => {
    // The first error says the session is gone; later ones (the socket closing after a fatal message) add nothing.
    if (lost) return;
    lost = e;
    onLost?.(e);
  };
  client.on('error', onError);
  return {
    client,
    get lost() {
      return lost;
    },
    release(close = false) {
      client.off('error', onError);
      client.release(lost ?? close);
    },
  };
}

/** Runs `fn` on a client checked out of `pool` (checkOut), released when it settles, closed if its connection was lost. */
export async function withClient<T>(pool: PgPool, fn: (client: PgClient, out: CheckedOut) => Promise<T>): Promise<T> {
  const out = await checkOut(pool);
  try {
    return await fn(out.client, out);
  } finally {
    out.release();
  }
}
