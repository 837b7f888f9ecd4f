import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quietLog, startServer } from '@parley/signaling';
import type { Config, ParleyServer } from '@parley/signaling';
import { LOOPBACK_LIMITS } from '../../integration/support/server.ts';
import { buildApp } from './appBuild.ts';

/**
 * The app the e2e pages load: a build with the `__parley` debug hook (support/appBuild.ts),
 * made on first use and whenever app or protocol sources change.
 */
export function testAppDir(): string {
  return buildApp('debug');
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** Process ids of the SFU's mediasoup workers (none without the SFU). */
  sfuWorkerPids(): number[];
  /** The Web Push notice channel (issue 21), to send a reminder as the scheduler would. */
  push: ParleyServer['push'];
  /** Scheduled meetings' notices (issue 21): `tick()` sends what is due now. */
  notices: ParleyServer['notices'];
  /** Stops the server; the data directory is removed unless `keepData` (to restart on it). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  /** Default 0 (ephemeral); pass the port of a stopped server to restart "the same" server. */
  port?: number;
  /** Default: a fresh temporary directory. */
  dataDir?: string;
  /** Address the server (and the SFU's WebRTC ports) bind to. Default 127.0.0.1; a network
   * rig's `hostIp` (support/netns.ts) so a browser inside its namespace reaches them too. */
  host?: string;
  /** Default: the debug build of the app (`testAppDir()`). */
  staticDir?: string;
  /** Run the SFU (one mediasoup worker on loopback). Default: off, rooms stay mesh-only. */
  sfu?: boolean;
  /** Above this many peers a room moves to the SFU (server default 4). */
  meshMaxPeers?: number;
  /** Seconds a room must stay small before moving back to the mesh (server default 30). */
  sfuDowngradeHoldS?: number;
  /** Seconds the SFU stays up after that move (server default 20). */
  sfuDowngradeGraceS?: number;
  /** TURN URLs and shared secret (e.g. a local coturn's); default: no TURN. */
  turn?: { urls: string[]; secret: string };
  /** Lifetime of minted TURN credentials, seconds (server default 600). */
  turnTtlS?: number;
  /** Browsers use only relayed candidates (server default false). */
  iceRelayOnly?: boolean;
  /** How long a dropped peer's seat is kept for `resume`, ms (server default 30000). */
  resumeWindowMs?: number;
  /** How long a socket may stay without joining, ms (server default 15000). */
  joinTimeoutMs?: number;
  /** How long a meeting whose host left waits before it makes one, ms (server default 15000). */
  hostGraceMs?: number;
  /** Single sign-on with a provider the test started (support/oidcProvider.ts). Default: off. */
  oidc?: Config['oidc'];
  /** Mail through an SMTP server the test started (integration/support/smtp.ts). Default: off. */
  mail?: Config['mail'];
  /** Web Push settings (e.g. loopback http endpoints for a test's push service). */
  push?: Config['push'];
}

/** One worker, loopback only, ports picked from a range the other suites do not use. */
const SFU_FOR_TESTS = {
  workers: 1,
  announcedIp: undefined,
  webRtcPortBase: 0,
  rtcMinPort: 47000,
  rtcMaxPort: 47999,
};

/** The real signaling server on a loopback port, serving the built app. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const staticDir = opts.staticDir ?? testAppDir();
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  const host = opts.host ?? '127.0.0.1';
  const server = await startServer({
    port: opts.port ?? 0,
    host,
    dataDir,
    staticDir,
    // Loopback only: no STUN; TURN only when the test brings its own local coturn.
    stunUrls: [],
    turn: opts.turn,
    localTurn: false,
    log: quietLog,
    limits: LOOPBACK_LIMITS,
    sfu: opts.sfu ? { ...SFU_FOR_TESTS, listenIp: host } : undefined,
    ...(opts.meshMaxPeers !== undefined ? { meshMaxPeers: opts.meshMaxPeers } : {}),
    ...(opts.turnTtlS !== undefined ? { turnTtlS: opts.turnTtlS } : {}),
    ...(opts.iceRelayOnly !== undefined ? { iceRelayOnly: opts.iceRelayOnly } : {}),
    ...(opts.resumeWindowMs !== undefined ? { resumeWindowMs: opts.resumeWindowMs } : {}),
    ...(opts.joinTimeoutMs !== undefined ? { joinTimeoutMs: opts.joinTimeoutMs } : {}),
    ...(opts.hostGraceMs !== undefined ? { hostGraceMs: opts.hostGraceMs } : {}),
    ...(opts.oidc !== undefined ? { oidc: opts.oidc } : {}),
    ...(opts.mail !== undefined ? { mail: opts.mail } : {}),
    ...(opts.push !== undefined ? { push: opts.push } : {}),
    ...(opts.sfuDowngradeHoldS !== undefined ? { sfuDowngradeHoldS: opts.sfuDowngradeHoldS } : {}),
    ...(opts.sfuDowngradeGraceS !== undefined
      ? { sfuDowngradeGraceS: opts.sfuDowngradeGraceS }
      : {}),
  });
  return {
    url: server.url,
    port: server.port,
    dataDir,
    sfuWorkerPids: () => server.sfu?.workerPids() ?? [],
    push: server.push,
    notices: server.notices,
    close: async ({ keepData = false } = {}) => {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
