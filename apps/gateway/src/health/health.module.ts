import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module';
import { HealthController } from './health.controller';

/** `/healthz`, `/readyz`, `/metrics`. */
@Module({ imports: [FanoutModule], controllers: [HealthController] })
export class HealthModule {}
