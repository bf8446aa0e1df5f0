import { GrpcMethod } from '@nestjs/microservices';
import { requireId } from '../converters/validate';
import type { CloseWorldRequest, CloseWorldResponse } from '../generated/game/engine/v1/engine';

/**
 * What every engine's EngineService controller shares. CloseWorld is the same for all: an engine
 * only says how it closes a world.
 */
export abstract class EngineControllerBase {
  /** Closes the world (a no-op for an unknown one); true when it was open. */
  protected abstract closeWorldById(worldId: string): Promise<boolean>;

  @GrpcMethod('EngineService', 'CloseWorld')
  async closeWorld(request: CloseWorldRequest): Promise<CloseWorldResponse> {
    const worldId = requireId(request.worldId, 'world_id');
    return { worldId, closed: await this.closeWorldById(worldId) };
  }
}
