import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sfu } from '@parley/sfu';
import { iceServersFor } from '@parley/turn';
import { ChatStore } from './chatStore.ts';
import { loadConfig } from './config.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db.ts';
import { createHttpHandler } from './http.ts';
import { createLog } from './log.ts';
import type { Log } from './log.ts';
import { Rooms } from './rooms.ts';
import { RoomStore } from './roomStore.ts';
import { StaticFiles } from './staticFiles.ts';
import { SignalingSocketServer } from './wsServer.ts';

export interface ParleyServer {
  /** `http://<host>:<port>` as bound (port 0 resolved). */
  url: string;
  port: number;
  config: Config;
  /** The SFU, when enabled (tests reach its workers through it). */
  sfu: Sfu | undefined;
  /** Graceful stop: sockets closed with 1001, HTTP drained, database closed. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Config> {
  log?: Log;
}

/** The composition root: wires storage, rooms, HTTP and WebSocket together and listens. */
export async function startServer(options: StartOptions = {}): Promise<ParleyServer> {
  const { log = createLog(), ...overrides } = options;
  const config: Config = { ...loadConfig({ LOCAL_TURN: 'off' }), ...overrides };
  const db = openDatabase(config.dataDir);
  const sfu = config.sfu ? await Sfu.start({ ...config.sfu, log }) : undefined;
  const rooms = new Rooms({
    roomStore: new RoomStore(db),
    chatStore: new ChatStore(db),
    maxPeers: config.roomMaxPeers,
    log,
    media: {
      sfu,
      meshMaxPeers: config.meshMaxPeers,
      downgradeHoldMs: config.sfuDowngradeHoldS * 1000,
      downgradeGraceMs: config.sfuDowngradeGraceS * 1000,
    },
  });
  const sockets = new SignalingSocketServer({
    config,
    rooms,
    log,
    iceServersFor: (peerId) =>
      iceServersFor(
        {
          stunUrls: config.stunUrls,
          turn: config.turn && { ...config.turn, ttlS: config.turnTtlS },
        },
        peerId,
      ),
  });
  const http = createServer(
    createHttpHandler({
      rooms,
      log,
      staticFiles: config.staticDir ? new StaticFiles(config.staticDir) : undefined,
      health: () => ({ rooms: rooms.liveCount, connections: sockets.connectionCount }),
    }),
  );
  http.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await sockets.close();
      http.closeAllConnections();
      await stopped;
      await sfu?.close();
      db.close();
    })());
  log.info('listening', { url: `http://${host}:${port}` });
  return { url: `http://${host}:${port}`, port, config, sfu, close };
}
