import { type RawData } from 'ws';

/** A WebSocket message as one Buffer (ws hands over a Buffer, a list of them or an ArrayBuffer). */
export function rawDataBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
