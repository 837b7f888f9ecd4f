// The real server for the browser scenarios: signaling, the SFU and (optionally) the HLS
// gateway in the bench process, serving a build of the app (e2e/support/appBuild.ts).
// Loopback only; SFU ports of their own so an e2e or integration suite running at the same
// time on the shared machine cannot collide with a benchmark.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quietLog, startServer, type HlsConfig, type ParleyServer } from '@parley/signaling';
import { LOOPBACK_LIMITS } from '../../integration/support/server.ts';
import { buildApp, type AppFlavour } from '../../e2e/support/appBuild.ts';
import { createRoom } from './wsClient.ts';

/** 55000-55999: no test suite or other scenario uses it (see the rtcMinPort of each). */
const SFU_PORTS = { rtcMinPort: 55000, rtcMaxPort: 55999 };

export interface AppServerOptions {
  /** Run the SFU (one mediasoup worker on loopback). Default false: rooms stay mesh. */
  sfu?: boolean;
  /** Above this many admitted peers a room moves to the SFU (server default 4). */
  meshMaxPeers?: number;
  /** Seconds a room must stay small before moving back to the mesh (server default 30). */
  sfuDowngradeHoldS?: number;
  /** Seconds the SFU stays up after that move (server default 20). */
  sfuDowngradeGraceS?: number;
  /** Broadcasting (needs `sfu`); undefined: rooms cannot go on air. */
  hls?: HlsConfig;
  /** Which build to serve. Default `debug`: pages have the `__parley` hook scenarios read. */
  app?: AppFlavour;
}

export interface AppServer {
  url: string;
  server: ParleyServer;
  /** A room with the waiting room off; its host key goes to whoever should be host. */
  createRoom(): Promise<{ id: string; hostKey: string }>;
  /** `GET /api/rooms/<id>`. */
  status(roomId: string): Promise<{ mode: string; admitted: number; live: boolean }>;
  close(): Promise<void>;
}

export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const { sfu = false, hls, app = 'debug', ...media } = options;
  const staticDir = buildApp(app);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-app-'));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    staticDir,
    // Loopback only: no STUN, no TURN (Chromium's host candidates reach 127.0.0.1 directly).
    stunUrls: [],
    turn: undefined,
    localTurn: false,
    // Every browser is 127.0.0.1: the per-address limits (issue #14) are lifted.
    limits: LOOPBACK_LIMITS,
    log: quietLog,
    sfu: sfu
      ? {
          workers: 1,
          listenIp: '127.0.0.1',
          announcedIp: undefined,
          webRtcPortBase: 0,
          ...SFU_PORTS,
        }
      : undefined,
    hls,
    ...media,
  });
  return {
    url: server.url,
    server,
    createRoom: () => createRoom(server.url),
    async status(roomId) {
      const res = await fetch(`${server.url}/api/rooms/${roomId}`);
      if (!res.ok) throw new Error(`room status: HTTP ${res.status}`);
      return (await res.json()) as { mode: string; admitted: number; live: boolean };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
