import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quietLog, startServer } from '@parley/signaling';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const APP = path.join(REPO, 'app');
export const APP_DIST = path.join(APP, 'dist');
const DIST_INDEX = path.join(APP_DIST, 'index.html');
const APP_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(p: string): number {
  const info = statSync(p, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

/** Builds app/dist unless it is newer than every input (the tests serve the real build). */
export function ensureAppBuilt(): void {
  const built = statSync(DIST_INDEX, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const inputs = Math.max(...APP_INPUTS.map((p) => newestMtime(path.join(APP, p))));
  if (built > inputs) return;
  execFileSync(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: APP,
    // vitest sets NODE_ENV=test, which would make Vite produce a development build.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'pipe',
  });
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** Process ids of the SFU's mediasoup workers (none without the SFU). */
  sfuWorkerPids(): number[];
  /** Stops the server; the data directory is removed unless `keepData` (to restart on it). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  /** Default 0 (ephemeral); pass the port of a stopped server to restart "the same" server. */
  port?: number;
  /** Default: a fresh temporary directory. */
  dataDir?: string;
  /** Default: app/dist (built on demand). */
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
}

/** One worker, loopback only, ports picked from a range the other suites do not use. */
const SFU_FOR_TESTS = {
  workers: 1,
  listenIp: '127.0.0.1',
  announcedIp: undefined,
  webRtcPortBase: 0,
  rtcMinPort: 47000,
  rtcMaxPort: 47999,
};

/** The real signaling server on a loopback port, serving the built app. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  ensureAppBuilt();
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  const server = await startServer({
    port: opts.port ?? 0,
    host: '127.0.0.1',
    dataDir,
    staticDir: opts.staticDir ?? APP_DIST,
    // Loopback only: no STUN; TURN only when the test brings its own local coturn.
    stunUrls: [],
    turn: opts.turn,
    localTurn: false,
    log: quietLog,
    sfu: opts.sfu ? SFU_FOR_TESTS : undefined,
    ...(opts.meshMaxPeers !== undefined ? { meshMaxPeers: opts.meshMaxPeers } : {}),
    ...(opts.turnTtlS !== undefined ? { turnTtlS: opts.turnTtlS } : {}),
    ...(opts.iceRelayOnly !== undefined ? { iceRelayOnly: opts.iceRelayOnly } : {}),
    ...(opts.resumeWindowMs !== undefined ? { resumeWindowMs: opts.resumeWindowMs } : {}),
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
    close: async ({ keepData = false } = {}) => {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
