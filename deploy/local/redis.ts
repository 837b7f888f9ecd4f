import { ServiceProcess } from './process.ts';
import { exchange, freePort } from './net.ts';

export interface RedisOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** How long to wait for PONG (default 10 s). */
  startTimeoutMs?: number;
}

export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (idempotent); `start()` brings it back. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (it never persists anything). */
  start(): Promise<void>;
  /** stop() then start(): what a Redis crash and restart look like to clients. */
  restart(): Promise<void>;
}

/** True when the Redis on `port` answers PING with PONG. */
export async function redisPing(port: number): Promise<boolean> {
  const answer = await exchange(port, 'PING\r\n', (received) => received.includes('\r\n'));
  return answer.startsWith('+PONG');
}

/**
 * A throwaway redis-server on 127.0.0.1 for tests and `npm run cluster`: in memory only
 * (`--save ''`, `--appendonly no`), so nothing is written to disk and a restart empties it.
 */
export async function startRedis(options: RedisOptions = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let server: ServiceProcess | undefined;

  const start = async (): Promise<void> => {
    if (server && server.exitReason === undefined) return;
    const started = new ServiceProcess({
      name: `redis-server :${port}`,
      command: 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        // Logs go to our pipe; errors quote them.
        '--logfile',
        '',
      ],
    });
    server = started;
    await started.waitUntil('answering PING', () => redisPing(port), startTimeoutMs);
  };
  const stop = async (): Promise<void> => {
    await server?.stop();
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}
