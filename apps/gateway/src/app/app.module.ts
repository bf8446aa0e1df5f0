import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { HealthModule } from '../health/health.module';
import { CoreModule, type CoreDeps } from './core.module';

/** The gateway application. */
@Module({})
export class AppModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(deps), GatewaysModule, AdminModule, HealthModule],
    };
  }
}
