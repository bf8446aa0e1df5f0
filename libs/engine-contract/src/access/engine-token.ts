import { createHash, timingSafeEqual } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';

/** Call metadata carrying the shared engine token: `authorization: Bearer <ENGINE_TOKEN>`. */
export const AUTHORIZATION_METADATA_KEY = 'authorization';
/** Call metadata a caller may name itself in (quotas and logs); unset means UNNAMED_CALLER. */
export const CALLER_METADATA_KEY = 'x-anvil-caller';
/** The caller name of calls that carry no `x-anvil-caller`. */
export const UNNAMED_CALLER = 'unnamed';
/** What a caller name must look like: 1..64 characters of [A-Za-z0-9_.:-]. */
export const CALLER_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Shortest ENGINE_TOKEN the engines and their callers accept. */
export const ENGINE_TOKEN_MIN_LENGTH = 16;

/** How a client authenticates to an engine: the shared token and, optionally, its own name. */
export interface EngineAccess {
  /** The shared secret (ENGINE_TOKEN). */
  token: string;
  /** Sent as `x-anvil-caller`, e.g. "gateway"; engines count quotas and log per caller. */
  caller?: string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * True when `presented` is the expected token. Both are hashed first so the constant-time
 * comparison always sees equal lengths and the token's length leaks nothing either.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

/** The token of an `authorization: Bearer <token>` entry, or undefined when there is none. */
export function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get(AUTHORIZATION_METADATA_KEY)[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer (.+)$/i.exec(value.trim());
  return match?.[1];
}

/** The caller a call names (UNNAMED_CALLER when none), or undefined when the name is malformed. */
export function callerOf(metadata: Metadata): string | undefined {
  const value = metadata.get(CALLER_METADATA_KEY)[0];
  if (value === undefined) return UNNAMED_CALLER;
  return typeof value === 'string' && CALLER_PATTERN.test(value) ? value : undefined;
}

/** The caller name of an admitted call (the access interceptor refused malformed names). */
export function admittedCaller(metadata: Metadata | undefined): string {
  return (metadata instanceof Metadata && callerOf(metadata)) || UNNAMED_CALLER;
}

/** Call metadata authenticating `access`, added to a copy of `base` (e.g. one with traceparent). */
export function engineCallMetadata(access: EngineAccess, base?: Metadata): Metadata {
  const metadata = base ? base.clone() : new Metadata();
  metadata.set(AUTHORIZATION_METADATA_KEY, `Bearer ${access.token}`);
  if (access.caller) metadata.set(CALLER_METADATA_KEY, access.caller);
  return metadata;
}
