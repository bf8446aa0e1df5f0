import type { KubeObject } from './kube-object';

/** A list response: the items and the collection's resourceVersion to watch from. */
export interface ListResult<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

/** One watch event as the API server sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string;
  object: unknown;
}

/** A running watch request. */
export interface WatchHandle {
  abort(): void;
}

/**
 * How a reflector lists and watches one kind. Implemented over client-node for the real API
 * server (`kube/client-node-source.ts`) and by fakes in unit tests.
 */
export interface ListWatchSource<T extends KubeObject> {
  /** What is being watched, for logs and metrics (e.g. "worldinstances"). */
  readonly resource: string;
  list(): Promise<ListResult<T>>;
  /**
   * Starts a watch from `resourceVersion`. `onEvent` gets each event; `onDone` is called once
   * when the stream ends: without an error when the server closed it, with one otherwise.
   * The promise rejects (or calls onDone with an error) when the request fails.
   */
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: unknown) => void,
  ): Promise<WatchHandle>;
}

/** The status code of an API error (HTTP status, or `code` of a watch ERROR Status object). */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  return typeof e.code === 'number' ? e.code : undefined;
}
