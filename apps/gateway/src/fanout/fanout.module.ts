import { Module } from '@nestjs/common';
import { FanoutService } from './fanout.service';

/** Bus subscriptions and delivery of deltas and world events to rooms. */
@Module({ providers: [FanoutService], exports: [FanoutService] })
export class FanoutModule {}
