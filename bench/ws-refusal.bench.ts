/**
 * What refusing a WebSocket client costs, the two ways a gateway can do it (docs/development.md,
 * "WebSocket edge: why not @nestjs/websockets"):
 *
 * - `before`: the checks run on the HTTP upgrade request and the answer is an HTTP status (what
 *   WsServerService does);
 * - `after`: the handshake completes and the socket is then closed with a code (what a Nest
 *   gateway's handleConnection can do, since it runs once the socket is open).
 *
 * One in-process `ws` server, sequential refused attempts from a `ws` client; reports the
 * client's wall time per refusal and the process's CPU per refusal, in one run.
 *
 *   npm run bench -- ws-refusal [attempts=2000]
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { percentile } from './stats';

type Mode = 'before' | 'after';

function serve(mode: Mode): Promise<Server> {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (mode === 'before') {
      const body = '{"statusCode":401,"message":"authentication required"}';
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => ws.close(4001, 'authentication required'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** One refused attempt, from the client's side: resolves when the client knows it was refused. */
function attempt(url: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      response.once('end', () => resolve());
    });
    ws.once('close', () => resolve());
    ws.once('error', () => undefined);
  });
}

async function run(mode: Mode, attempts: number): Promise<{ wallMs: number[]; cpuUs: number }> {
  const server = await serve(mode);
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (let i = 0; i < 50; i++) await attempt(url); // warm-up
  const wallMs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < attempts; i++) {
    const t0 = performance.now();
    await attempt(url);
    wallMs.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  await new Promise((resolve) => server.close(resolve));
  return { wallMs, cpuUs: (cpu.user + cpu.system) / attempts };
}

export default async function wsRefusal(args: string[]): Promise<void> {
  const attempts = Number(args[0] ?? 2000);
  console.log(
    `== Refusing ${attempts} WebSocket clients, one at a time, client and server in one process`,
  );
  const results: Record<Mode, { wallMs: number[]; cpuUs: number }> = {
    before: await run('before', attempts),
    after: await run('after', attempts),
  };
  for (const mode of ['before', 'after'] as const) {
    const { wallMs, cpuUs } = results[mode];
    console.log(
      `${mode === 'before' ? 'HTTP 401 before the handshake' : 'handshake, then close 4001   '}: ` +
        `wall p50 ${percentile(wallMs, 50).toFixed(3)} ms, p99 ${percentile(wallMs, 99).toFixed(3)} ms; ` +
        `CPU ${cpuUs.toFixed(0)} µs per refusal (client and server)`,
    );
  }
  const ratio = results.after.cpuUs / results.before.cpuUs;
  const wall = percentile(results.after.wallMs, 50) / percentile(results.before.wallMs, 50);
  console.log(`after / before: CPU ${ratio.toFixed(2)}x, wall p50 ${wall.toFixed(2)}x`);
}
