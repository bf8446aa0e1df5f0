import { Injectable } from '@nestjs/common';
import { bodyViewFromWire, type SnapshotResponse } from '@anvil/engine-contract';
import type { BodySnapshotDto, WorldSnapshotDto } from '../protocol/dto/world.dto';
import { SnapshotBatcher } from './snapshot-batcher';
import { InteractionEngineService } from './interaction-engine.service';

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

/**
 * World snapshots from the interaction engine (its Snapshot relays the physics engine's bodies
 * and tick), batched per world so that a join storm costs at most two calls in flight.
 */
@Injectable()
export class SnapshotService {
  private readonly batcher: SnapshotBatcher<WorldSnapshotDto>;

  constructor(engine: InteractionEngineService) {
    this.batcher = new SnapshotBatcher(async (worldId) =>
      toSnapshotDto(worldId, await engine.snapshot(worldId)),
    );
  }

  /** A snapshot taken after this call (throws the engine's error translated). */
  get(worldId: string): Promise<WorldSnapshotDto> {
    return this.batcher.get(worldId);
  }
}
