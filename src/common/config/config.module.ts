import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './app-config';

/**
 * The one global module: the configuration is a value handed in at bootstrap
 * (`AppModule.forRoot(config)`, `AdminModule.forRoot(config)`), and a static module cannot import
 * a module built from a value. Every other module imports what it uses by name.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
