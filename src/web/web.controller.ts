import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { StaticFilesService } from './static-files.service';

interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/**
 * The browser app: `/` (voice typing and live subtitles), `/subtitles` (overlay), `/room` (live room
 * listeners) and assets.
 */
@Controller()
export class WebController {
  constructor(private readonly files: StaticFilesService) {}

  @Get()
  @Header('cache-control', 'no-cache')
  index(@Res({ passthrough: true }) res: HeaderSink): StreamableFile {
    return this.send('index.html', res);
  }

  @Get('subtitles')
  @Header('cache-control', 'no-cache')
  subtitles(@Res({ passthrough: true }) res: HeaderSink): StreamableFile {
    return this.send('subtitles.html', res);
  }

  /** Live rooms: the listener page (`/room/<id>` from the share link, `/room` to type a code). */
  @Get(['room', 'room/:id'])
  @Header('cache-control', 'no-cache')
  room(@Res({ passthrough: true }) res: HeaderSink): StreamableFile {
    return this.send('room.html', res);
  }

  @Get('assets/*path')
  @Header('cache-control', 'no-cache')
  asset(
    @Param('path') path: string | string[],
    @Res({ passthrough: true }) res: HeaderSink,
  ): StreamableFile {
    return this.send(Array.isArray(path) ? path.join('/') : path, res);
  }

  private send(path: string, res: HeaderSink): StreamableFile {
    const file = this.files.resolve(path);
    if (!file) throw new NotFoundException(`no such file: ${path}`);
    res.setHeader('content-type', file.contentType);
    return new StreamableFile(createReadStream(file.path));
  }
}
