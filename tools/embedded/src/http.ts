// Small pieces of the web server's HTTP boundary: JSON answers, Host checks, path decoding.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Longest request target the web view reads (its URLs are short; anything longer is refused). */
export const MAX_URL_LENGTH = 2_048;

/**
 * True when a Host header names this machine's loopback: `localhost`, `127.0.0.0/8` or `[::1]`,
 * with or without a port. A page of another site that rebinds its DNS name to 127.0.0.1 still
 * sends its own name as Host, so it is refused what only this machine's browser may read.
 */
export function isLoopbackHost(host: unknown): boolean {
  if (typeof host !== 'string' || host.length > 300) return false;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const name = match[1];
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return Boolean(octets) && (octets as RegExpExecArray).slice(1).every((o) => Number(o) <= 255);
}

/** A decoded path segment, or undefined when its `%` escapes are malformed. */
export function decodeSegment(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Who asked, for the log line of a fault. */
export const callerOf = (req: IncomingMessage) =>
  `${req.socket?.remoteAddress ?? '?'} ${req.method} ${String(req.url).slice(0, 200)}`;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A JSON error answer `{ error, message }`. */
export const sendError = (res: ServerResponse, status: number, error: string, message: string) =>
  sendJson(res, status, { error, message });

/** A refusal the API answers with its own status and code (`{ error: code, message }`). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
