import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WorldsModule } from '../worlds/worlds.module';
import { AdminGateway } from './admin.gateway';
import { AdminService } from './admin.service';
import { KickRelayService } from './kick-relay.service';

/** The `/admin` namespace. */
@Module({
  imports: [AuthModule, WorldsModule],
  providers: [AdminGateway, AdminService, KickRelayService],
})
export class AdminModule {}
