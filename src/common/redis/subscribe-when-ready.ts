import { type RedisConnection } from './redis-connection.factory';

/**
 * SUBSCRIBE, but never during a connection's handshake. While a new connection is in state
 * "connect" ioredis writes SUBSCRIBE at once, ahead of its own ready check; the connection enters
 * subscriber mode, the check's INFO is refused, and ioredis drops and reopens the connection,
 * losing whatever was published meanwhile (redis/ioredis#2037). In every other state the command
 * either goes out on a ready connection or waits in the offline queue until one is.
 */
export async function subscribeWhenReady(
  connection: RedisConnection,
  ...channels: string[]
): Promise<void> {
  if (connection.status === 'connect') {
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        connection.off('ready', settle);
        connection.off('end', settle);
        resolve();
      };
      connection.once('ready', settle);
      connection.once('end', settle);
    });
  }
  await connection.subscribe(...channels);
}
