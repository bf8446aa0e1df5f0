import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module';
import { ConnectionsService } from './connections.service';
import { PlayerBodiesService } from './player-bodies.service';
import { RunningWorldsService } from './running-worlds.service';
import { WorldRegistryService } from './world-registry.service';
import { WorldsService } from './worlds.service';

/** Worlds and who is in them: joins and leaves, players' bodies, worlds started on the engine. */
@Module({
  imports: [FanoutModule],
  providers: [
    WorldsService,
    PlayerBodiesService,
    RunningWorldsService,
    WorldRegistryService,
    ConnectionsService,
  ],
  exports: [
    WorldsService,
    PlayerBodiesService,
    RunningWorldsService,
    WorldRegistryService,
    ConnectionsService,
  ],
})
export class WorldsModule {}
