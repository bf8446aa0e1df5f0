import { createHash } from 'node:crypto';
import {
  InvalidCommandError,
  PreconditionError,
  type BodyKindName,
  type BodyShapeName,
  type PhysicsIntent,
  type WorldSettings,
} from '@anvil/engine-contract';

/**
 * The state format this engine writes, bumped whenever the header layout changes. It reads every
 * format from OLDEST_STATE_FORMAT up to it (an older one is upgraded as it is read, by
 * `HEADER_UPGRADES`) and refuses a newer one with FAILED_PRECONDITION: an older engine cannot
 * know what a newer one added (docs/engine-contract.md, "State formats").
 */
export const STATE_FORMAT_VERSION = 1;
export const OLDEST_STATE_FORMAT = 1;

/**
 * Upgrades a header of format `v` (the key) to format v + 1. Empty while there is one format; a
 * format 2 adds the step from 1, and test/fixtures keeps a state of every format it reads.
 */
const HEADER_UPGRADES: Readonly<Record<number, (header: StateHeader) => StateHeader>> = {};
const MAGIC = Buffer.from('ANVP', 'ascii');

/** A body's metadata in the state header: id, Rapier handle, kind, shape, half extents. */
export type BodyEntry = [string, number, BodyKindName, BodyShapeName, number, number];

/** Everything of a world's state besides Rapier's own snapshot. */
export interface StateHeader {
  v: number;
  tick: number;
  settings: WorldSettings;
  /** Sorted by id. */
  bodies: BodyEntry[];
  /** Intents queued for the next tick boundary, in order. */
  pending: PhysicsIntent[];
}

/**
 * Encodes a world's state: "ANVP" | header length (u32 BE) | header JSON | Rapier snapshot.
 * The header is built with a fixed key order and sorted bodies, so equal states give equal
 * bytes and equal hashes.
 */
export function encodeState(header: StateHeader, rapierSnapshot: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, rapierSnapshot]);
}

/**
 * Decodes state bytes of any format this engine reads, upgraded to the current one; anything
 * malformed is INVALID_ARGUMENT, a newer format FAILED_PRECONDITION.
 */
export function decodeState(state: Uint8Array): {
  header: StateHeader;
  rapierSnapshot: Uint8Array;
} {
  const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  if (bytes.length < 8 || !bytes.subarray(0, 4).equals(MAGIC)) {
    throw new InvalidCommandError('state is not a physics-engine snapshot');
  }
  const length = bytes.readUInt32BE(4);
  if (8 + length > bytes.length) throw new InvalidCommandError('state is truncated');
  let header: StateHeader;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as StateHeader;
  } catch (cause) {
    throw new InvalidCommandError('state header is not valid JSON', { cause });
  }
  const v: unknown = header?.v;
  if (!Number.isSafeInteger(v) || (v as number) < OLDEST_STATE_FORMAT) {
    throw new InvalidCommandError(
      `state format ${JSON.stringify(v)} is not supported (formats ${OLDEST_STATE_FORMAT} to ${STATE_FORMAT_VERSION} are)`,
    );
  }
  if ((v as number) > STATE_FORMAT_VERSION) {
    throw new PreconditionError(
      `state format ${String(v)} was written by a newer physics engine; this one reads formats ${OLDEST_STATE_FORMAT} to ${STATE_FORMAT_VERSION}: restore it on an engine that reads it`,
    );
  }
  while (header.v < STATE_FORMAT_VERSION) header = HEADER_UPGRADES[header.v](header);
  if (!Array.isArray(header.bodies) || !Array.isArray(header.pending)) {
    throw new InvalidCommandError(`state header of format ${header.v} has no bodies or pending`);
  }
  return { header, rapierSnapshot: bytes.subarray(8 + length) };
}

/** Lowercase hex sha256. */
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
