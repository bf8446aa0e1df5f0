import { Metadata } from '@grpc/grpc-js';

/**
 * Metadata key of an Init sent to the replica another one named (its owner, or where placement
 * put a new world): that replica starts the world without placing it again, so two replicas
 * whose views of the loads differ cannot send an Init back and forth. Any value counts.
 */
export const PLACED_METADATA_KEY = 'anvil-placed';

/** A copy of `base` (or new metadata) marking an Init as placed. */
export function placedInit(base?: Metadata): Metadata {
  const metadata = base ? base.clone() : new Metadata();
  metadata.set(PLACED_METADATA_KEY, '1');
  return metadata;
}

/** Whether an Init came marked as placed. */
export function isPlacedInit(metadata: Metadata | undefined): boolean {
  return metadata instanceof Metadata && metadata.get(PLACED_METADATA_KEY).length > 0;
}
