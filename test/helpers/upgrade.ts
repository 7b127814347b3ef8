import { type ClientRequestArgs } from 'node:http';
import { type ClientOptions, WebSocket } from 'ws';

export type UpgradeOutcome =
  | { status: 101; ws: WebSocket; protocol: string }
  | { status: number; body: string; headers: Record<string, string | string[] | undefined> };

/** One real HTTP upgrade: 101 with the open socket, or the refusal's status and body. */
export function upgrade(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } & ClientRequestArgs &
    Pick<ClientOptions, 'ca' | 'autoPong'> = {},
): Promise<UpgradeOutcome> {
  const { protocols, ...rest } = options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols ?? [], rest);
    ws.once('open', () => resolve({ status: 101, ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    ws.once('error', (error) => {
      if (ws.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

export function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/** Frames (JSON) a socket receives from now on, as a live array. */
export function framesOf(ws: WebSocket): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary)
      frames.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>);
  });
  return frames;
}
