import { Client } from 'pg';

import type { Unlisten } from './backend';

/** First wait before a lost listening connection is opened again; doubled up to the maximum. */
export const RELISTEN_FIRST_DELAY_MS = 100;
export const RELISTEN_MAX_DELAY_MS = 5_000;
/** The name the listening connections have in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'anvil-listen';

/**
 * LISTEN on a connection of its own, outside the pool (a pooled connection would be handed to
 * other queries). A connection that fails or is closed by the server is opened again with a
 * growing delay; what was notified meanwhile is missed, so a listener must only ever speed up
 * what it would otherwise find by polling.
 */
export async function listenPostgres(
  connectionString: string,
  options: string,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<Unlisten> {
  let client: Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = RELISTEN_FIRST_DELAY_MS;

  /** A new listening connection; rejects when it could not connect or LISTEN. */
  const connect = async (): Promise<Client> => {
    const next = new Client({
      connectionString,
      options,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client = next;
    // Without a listener, an 'error' event (the server went away) would crash the process.
    next.on('error', () => reconnect(next));
    next.on('end', () => reconnect(next));
    next.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (error) {
      reconnect(next);
      throw error;
    }
    delay = RELISTEN_FIRST_DELAY_MS;
    return next;
  };

  /** Drops a failed connection and opens another after the current delay (once per failure). */
  const reconnect = (failed: Client): void => {
    if (stopped || client !== failed) return;
    client = undefined;
    failed.end().catch(() => undefined);
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch(() => undefined); // connect schedules the next try itself
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, RELISTEN_MAX_DELAY_MS);
  };

  try {
    await connect();
  } catch (error) {
    stopped = true;
    clearTimeout(retry);
    throw error;
  }
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
