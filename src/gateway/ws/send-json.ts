import { WebSocket } from 'ws';

/**
 * Sends a JSON message on an open socket (a closed one drops it); `sent` runs once it is written,
 * so delivery records only what reached the client's socket.
 */
export function sendJson(ws: WebSocket, message: unknown, sent?: () => void): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify(message), (error) => {
    if (!error) sent?.();
  });
}
