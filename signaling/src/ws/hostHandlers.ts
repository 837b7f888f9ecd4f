import { ERROR_CODES } from '@parley/protocol';
import type { BroadcastId, ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import { forbiddenSetting, mayRecord } from '../rooms/permissions.ts';
import { hashPassword } from '../rooms/passwords.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';
import {
  allowUnmute,
  changeSettings,
  deny,
  expel,
  letAllIn,
  letIn,
  mute,
  setRole,
} from '../rooms/moderation.ts';
import type { WatchLink } from './types.ts';

/** What hosts (and, for some, co-hosts) send; `permissions.ts` says who may send which. */
export type HostMessage = ClientMessageOf<
  | 'settings'
  | 'broadcast'
  | 'record'
  | 'admit'
  | 'admit-all'
  | 'deny'
  | 'mute'
  | 'allow-unmute'
  | 'remove'
  | 'set-role'
  | 'end'
>;

/** Whoever starts a media job pays for it in the budget: the account, else the guest. */
function accountOf(peer: Peer): string | undefined {
  const { userId, guestId } = peer.identity;
  return userId ? `u:${userId}` : guestId ? `g:${guestId}` : undefined;
}

/**
 * Runs a host's request in the room's queue and returns the reply (without its rid). The role
 * was checked against the permission table before this is called; what is left here are the
 * rules about the target (a host cannot be removed, a co-host only by a host, ...).
 */
export async function handleHostMessage(
  room: Room,
  peer: Peer,
  message: HostMessage,
  watchLink: WatchLink,
): Promise<ServerMessage> {
  switch (message.type) {
    case 'settings': {
      const hostOnly = forbiddenSetting(message.settings, peer.role);
      if (hostOnly) {
        throw new ProtocolError(ERROR_CODES.FORBIDDEN, `only a host may change the ${hostOnly}`);
      }
      const { password, ...change } = message.settings;
      // Hashing takes ~50 ms on the thread pool: done before entering the room's queue.
      const passwordHash = typeof password === 'string' ? await hashPassword(password) : password;
      await room.queue.run(() => changeSettings(room, definedOnly(change), passwordHash, peer.id));
      // Everyone else got the new settings pushed; the host's copy is this reply.
      return { type: 'settings', settings: room.settings, ...watchLinkFor(room, watchLink) };
    }
    case 'broadcast': {
      await room.queue.run(() =>
        message.live ? room.media.goLive(accountOf(peer)) : room.media.stopLive(),
      );
      return { type: 'broadcast-state', live: room.live, ...watchLinkFor(room, watchLink) };
    }
    case 'record': {
      if (!mayRecord(room.settings, peer.role)) {
        throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'only a host may record in this room');
      }
      const layout = room.settings.recordingLayout;
      await room.queue.run(() =>
        message.on
          ? room.media.startRecording(accountOf(peer), layout)
          : room.media.stopRecording(),
      );
      const since = room.media.recording.since;
      return {
        type: 'recording-state',
        recording: since !== undefined,
        ...(since ? { startedAt: since } : {}),
      };
    }
    default:
      await room.queue.run(() => control(room, peer, message));
      return { type: 'ok' };
  }
}

function control(
  room: Room,
  peer: Peer,
  message: Exclude<HostMessage, { type: 'settings' | 'broadcast' | 'record' }>,
) {
  switch (message.type) {
    case 'admit':
      return letIn(room, message.peerId);
    case 'admit-all':
      return letAllIn(room);
    case 'deny':
      return deny(room, message.peerId);
    case 'mute':
      return mute(room, message.peerId, message.kind, peer);
    case 'allow-unmute':
      return allowUnmute(room, message.peerId, message.kind, peer);
    case 'remove':
      return expel(room, message.peerId, peer);
    case 'set-role':
      return setRole(room, message.peerId, message.role, peer);
    case 'end':
      return room.end(peer.id);
  }
}

/**
 * The watch link for a moderator: the broadcast id, and for a room with a password (private)
 * the signed token its viewers need.
 */
export function watchLinkFor(
  room: Room,
  watchLink: WatchLink,
): { watchToken?: string; broadcastId: BroadcastId } {
  const broadcastId = watchLink.broadcastId(room.id);
  return room.settings.hasPassword
    ? { watchToken: watchLink.token(room.id), broadcastId }
    : { broadcastId };
}

/** Drops keys whose value is undefined, so a spread never overwrites a setting with nothing. */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
