import { Module } from '@nestjs/common';
import { StaticFilesService } from './static-files.service';
import { WebController } from './web.controller';

/** Serves the browser app from the gateway's public port. */
@Module({
  controllers: [WebController],
  providers: [{ provide: StaticFilesService, useFactory: () => new StaticFilesService() }],
})
export class WebModule {}
