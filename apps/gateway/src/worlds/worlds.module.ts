import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CommandsModule } from '../commands/commands.module';
import { FanoutModule } from '../fanout/fanout.module';
import { ConnectionsService } from './connections.service';
import { PlayerBodiesService } from './player-bodies.service';
import { WorldRegistryService } from './world-registry.service';
import { WorldsGateway } from './worlds.gateway';
import { WorldsService } from './worlds.service';

/** The player namespace: joining, leaving, snapshots and commands. */
@Module({
  imports: [AuthModule, CommandsModule, FanoutModule],
  providers: [WorldsGateway, WorldsService, PlayerBodiesService, WorldRegistryService, ConnectionsService],
  exports: [WorldsService, WorldRegistryService, ConnectionsService],
})
export class WorldsModule {}
