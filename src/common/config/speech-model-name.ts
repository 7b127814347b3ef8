import { basename } from 'node:path';
import { type AppConfig } from './app-config';

/** The speech model's name as the APIs report it: its file name, or `whisper-<size>`. */
export function speechModelName(stt: AppConfig['stt']): string {
  return stt.modelPath ? basename(stt.modelPath).replace(/\.bin$/, '') : `whisper-${stt.modelSize}`;
}
