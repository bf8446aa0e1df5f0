import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CommandsModule } from '../commands/commands.module';
import { FanoutModule } from '../fanout/fanout.module';
import { WorldsModule } from '../worlds/worlds.module';
import { WorldsGateway } from './worlds.gateway';

/** The player namespace: joining, leaving, snapshots and commands. */
@Module({
  imports: [AuthModule, WorldsModule, CommandsModule, FanoutModule],
  providers: [WorldsGateway],
})
export class GatewaysModule {}
