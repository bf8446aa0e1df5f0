import { Injectable } from '@nestjs/common';
import type { WorldSnapshotDto } from '../protocol/dto/world.dto';
import { SnapshotBatcher } from './snapshot-batcher';
import { toSnapshotDto } from './snapshot-dto';
import { InteractionEngineService } from './interaction-engine.service';

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
