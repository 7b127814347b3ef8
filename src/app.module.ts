import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppConfig, Role } from './common/config/app-config';
import { CommonModule } from './common/common.module';
import { GatewayModule } from './gateway/gateway.module';
import { OpenAiApiModule } from './openai-api/openai-api.module';
import { PersistenceApiModule } from './persistence-api/persistence-api.module';
import { SttModule } from './stt/stt.module';
import { TranslationApiModule } from './translation-api/translation-api.module';
import { TranslationModule } from './translation/translation.module';
import { WebModule } from './web/web.module';

/** The role picks the modules; services never branch on the role. */
const ROLE_MODULES: Record<Role, Type[]> = {
  gateway: [GatewayModule, PersistenceApiModule, TranslationApiModule, OpenAiApiModule, WebModule],
  stt: [SttModule],
  translation: [TranslationModule],
};

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const modules = [...new Set(config.roles.flatMap((role) => ROLE_MODULES[role]))];
    return {
      module: AppModule,
      imports: [CommonModule.forRoot(config), ...modules],
    };
  }
}
