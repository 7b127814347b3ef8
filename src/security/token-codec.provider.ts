import { type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { JwtCodec } from './jwt';

export const TOKEN_CODEC = Symbol('TOKEN_CODEC');

export const TOKEN_CODEC_PROVIDER: Provider = {
  provide: TOKEN_CODEC,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new JwtCodec(config.security.jwtKeys, config.security.jwtIssuer, config.security.jwtAudience),
};
