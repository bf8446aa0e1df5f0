import { createHash } from 'node:crypto';
import {
  InvalidCommandError,
  type BodyKindName,
  type BodyShapeName,
  type PhysicsIntent,
  type WorldSettings,
} from '@anvil/engine-contract';

/** Bumped whenever the header layout changes; Restore refuses other versions. */
export const STATE_FORMAT_VERSION = 1;
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

/** Decodes state bytes; anything malformed is INVALID_ARGUMENT. */
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
  if (
    header?.v !== STATE_FORMAT_VERSION ||
    !Array.isArray(header.bodies) ||
    !Array.isArray(header.pending)
  ) {
    throw new InvalidCommandError(
      `state format ${String(header?.v)} is not supported (expected ${STATE_FORMAT_VERSION})`,
    );
  }
  return { header, rapierSnapshot: bytes.subarray(8 + length) };
}

/** Lowercase hex sha256. */
export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
