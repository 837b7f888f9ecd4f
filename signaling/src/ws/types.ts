import type { BroadcastId, RoomId, ServerMessage } from '@parley/protocol';
import type { TokenVerifier } from '../auth/types.ts';
import type { GuestIdentities } from '../auth/guestIdentity.ts';
import type { Config } from '../config/index.ts';
import type { Log } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { BoardTickets } from '../classroom/boardTickets.ts';

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What a connection needs from the socket under it (a `ws` WebSocket in production). */
export interface Socket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending and not yet handed to the kernel (back-pressure). */
  readonly bufferedAmount: number;
}

export interface ConnectionDeps {
  config: Config;
  rooms: Rooms;
  log: Log;
  metrics: Metrics;
  /** ICE servers with a TURN credential for `user`, valid `ttlS` (default: TURN_TTL_S). */
  iceServersFor: (user: string, ttlS?: number) => ServerMessageOf<'joined'>['iceServers'];
  /** Checks the access tokens of signed-in users. */
  auth: TokenVerifier;
  /** Issues and checks the guest identity cookie at each upgrade. */
  guests: GuestIdentities;
  /** A room's watch link: `/watch/<broadcastId>`, with `?t=<token>` for a private room. */
  watchLink: WatchLink;
  /** Mints the tickets of the slides' HTTP routes; absent: slides are off. */
  boardTickets?: BoardTickets;
}

export interface WatchLink {
  /** A signed viewer token for a private room's broadcast. */
  token: (roomId: RoomId) => string;
  /** The room's broadcast id (never its room id: a watch link must not reveal the join link). */
  broadcastId: (roomId: RoomId) => BroadcastId;
}

/** The request id of a message, to copy into its reply (nothing when it had none). */
export function rid(message: { rid?: number | undefined }): { rid?: number } {
  return message.rid === undefined ? {} : { rid: message.rid };
}
