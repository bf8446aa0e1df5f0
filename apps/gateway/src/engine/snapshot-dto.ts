import { bodyViewFromWire, type SnapshotResponse } from '@anvil/engine-contract';
import type { BodySnapshotDto, WorldSnapshotDto } from '../protocol/dto/world.dto';

/** Wire snapshot -> what a client gets: the tick and every body, without the engine's opaque state. */
export function toSnapshotDto(worldId: string, snapshot: SnapshotResponse): WorldSnapshotDto {
  const bodies: BodySnapshotDto[] = snapshot.bodies.map((wire) => {
    const b = bodyViewFromWire(wire);
    return {
      id: b.id,
      shape: b.shape,
      kind: b.kind,
      hw: b.halfWidthMm,
      hh: b.halfHeightMm,
      x: b.xMm,
      y: b.yMm,
      angle: b.angleMrad,
      vx: b.vxMmS,
      vy: b.vyMmS,
    };
  });
  return { worldId, tick: snapshot.tick, bodies };
}
