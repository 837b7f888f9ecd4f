import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BroadcastIds,
  deriveViewerSecret,
  loadConfig,
  quietLog,
  startServer,
} from '@parley/signaling';
import type { ParleyServer, StartOptions } from '@parley/signaling';
import type { BroadcastId, CreateRoomRequest, CreateRoomResponse, RoomId } from '@parley/protocol';

export interface TestServer extends ParleyServer {
  dataDir: string;
  /**
   * `POST /api/rooms`. Without a body the room has the waiting room off, since most tests are
   * not about it; pass `{}` for the product defaults.
   */
  createRoom(body?: CreateRoomRequest): Promise<CreateRoomResponse>;
  /** The id in a room's watch link and HLS URLs, as the server makes it (hosts are told it). */
  broadcastIdOf(roomId: string): BroadcastId;
  /** Stops the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/**
 * Every test client comes from 127.0.0.1, by the hundred: the per-address limits (issue #14)
 * are lifted unless a test is about them (limits.test.ts passes its own).
 */
export const LOOPBACK_LIMITS = {
  ...loadConfig({}).limits,
  wsPerAddress: 100_000,
  roomCreationsPerHour: 100_000,
  waitingPerAddress: 100_000,
};

/** A real server on an ephemeral loopback port with its own SQLite directory. */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    staticDir: undefined,
    stunUrls: [],
    turn: undefined,
    // Mesh-only unless a test asks for the SFU (its workers cost time and ports).
    sfu: undefined,
    // A dropped socket leaves at once unless a test is about resuming.
    resumeWindowMs: 0,
    limits: LOOPBACK_LIMITS,
    log: quietLog,
    ...options,
    dataDir,
  });
  return {
    ...server,
    dataDir,
    async createRoom(body: CreateRoomRequest = { settings: { waitingRoom: false } }) {
      const res = await fetch(`${server.url}/api/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`create room: ${res.status}`);
      return (await res.json()) as CreateRoomResponse;
    },
    broadcastIdOf(roomId: string) {
      const jwt = server.config.jwtSecret ?? readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8');
      const secret = deriveViewerSecret(new TextEncoder().encode(jwt.trim()));
      return new BroadcastIds(secret).of(roomId as RoomId);
    },
    async dispose() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
