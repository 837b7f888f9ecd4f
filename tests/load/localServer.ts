// The server `npm run load` starts when no --url is given: signaling and one SFU worker in
// this process, on 127.0.0.1 port 0, with a data directory of its own, no STUN or TURN.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quietLog, startServer, type ParleyServer } from '@parley/signaling';
import { LOOPBACK_LIMITS } from '../integration/support/server.ts';

/** 57000-57999: no test suite or bench scenario uses it (see the rtcMinPort of each). */
export const LOAD_SFU_PORTS = { rtcMinPort: 57000, rtcMaxPort: 57999 };

export interface LocalServer {
  url: string;
  /** The server itself (its SFU's resource usage, for the benchmarks). */
  server: ParleyServer;
  close(): Promise<void>;
}

export async function startLocalServer(options: {
  meshMaxPeers: number;
  /** The SFU's RTC port range (default LOAD_SFU_PORTS). */
  rtcPorts?: { rtcMinPort: number; rtcMaxPort: number };
}): Promise<LocalServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-load-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    staticDir: undefined,
    stunUrls: [],
    turn: undefined,
    localTurn: false,
    // Every bot comes from 127.0.0.1: the per-address limits (issue #14) are lifted.
    limits: LOOPBACK_LIMITS,
    log: quietLog,
    meshMaxPeers: options.meshMaxPeers,
    // A load run may fill a room past the product's 50 (ROOM_MAX_PEERS).
    roomMaxPeers: 1000,
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      ...(options.rtcPorts ?? LOAD_SFU_PORTS),
    },
  });
  return {
    url: server.url,
    server,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
