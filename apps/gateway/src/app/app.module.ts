import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { HealthModule } from '../health/health.module';
import { WorldsModule } from '../worlds/worlds.module';
import { CoreModule, type CoreDeps } from './core.module';

/** The gateway application. */
@Module({})
export class AppModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(deps), WorldsModule, AdminModule, HealthModule] };
  }
}
