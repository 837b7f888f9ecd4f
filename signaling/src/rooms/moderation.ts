import { ERROR_CODES } from '@parley/protocol';
import type { PeerId, Role } from '@parley/protocol';
import type { Log } from '../telemetry/log.ts';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from './peer.ts';
import { isModerator, mayTarget } from './permissions.ts';
import { holdMute, releaseMute } from './hostMute.ts';
import type { MuteKind } from './hostMute.ts';
import type { Room } from './room.ts';
import type { StoredSettings } from '../store/index.ts';

/*
 * What hosts (and co-hosts, where the permission table allows) do to a room: the waiting room,
 * the people in the meeting, the settings. Each runs in the room's queue, checks the rules
 * about its target, and writes one log line per event.
 */

function target(room: Room, peerId: PeerId): Peer {
  const peer = room.peer(peerId);
  if (!peer) throw new ProtocolError(ERROR_CODES.PEER_NOT_FOUND, 'no such peer in this room');
  return peer;
}

/**
 * Turns off someone's mic or camera, on the server too (hostMute.ts); they are told, and may
 * turn it on again as the room's `selfUnmute` says.
 */
export async function mute(room: Room, peerId: PeerId, kind: MuteKind, by: Peer): Promise<void> {
  const peer = target(room, peerId);
  if (!mayTarget('mute', by.role, peer.role)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, `a ${by.role} cannot mute a ${peer.role}`);
  }
  await holdMute(room, peer, kind);
  peer.send({ type: 'muted', kind, by: by.id });
  room.log.info('muted by host', { peerId, kind, by: by.id });
  if (!peer.media[kind]) return;
  peer.media = { ...peer.media, [kind]: false };
  room.broadcast({ type: 'peer-updated', peer: peer.info() }, peer.id);
}

/** Lets someone a host muted turn that device on again (rooms with `selfUnmute` off). */
export function allowUnmute(room: Room, peerId: PeerId, kind: MuteKind, by: Peer): void {
  const peer = target(room, peerId);
  if (!mayTarget('mute', by.role, peer.role)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, `a ${by.role} cannot unmute a ${peer.role}`);
  }
  releaseMute(peer, kind);
  peer.send({ type: 'unmute-allowed', kind, by: by.id });
  room.log.info('unmute allowed', { peerId, kind, by: by.id });
}

/**
 * Removes someone for the rest of the meeting, on whichever node it goes on: the ban is stored
 * (and the seat dropped) before they are taken out. Hosts cannot be removed; co-hosts only by a
 * host.
 */
export async function expel(room: Room, peerId: PeerId, by: Peer): Promise<void> {
  const peer = target(room, peerId);
  if (!mayTarget('remove', by.role, peer.role)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, `a ${by.role} cannot remove a ${peer.role}`);
  }
  await room.door.ban(peer.identity, peer.id);
  await room.team?.forget(peer.identity);
  await room.remove(peerId, 'removed', by.id);
}

/**
 * Makes someone co-host or guest again, or hands them the host role (the host becomes a
 * co-host); stored, so it holds if they come back (or move).
 */
export async function setRole(room: Room, peerId: PeerId, role: Role, by: Peer): Promise<void> {
  // A meeting's roles are its host's to give; a team's admins make others admins too.
  if (by.role !== 'host' && (role === 'host' || !room.team)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'only a host changes roles');
  }
  const peer = target(room, peerId);
  if (peer.role === 'host') throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'a host stays host');
  await giveRole(room, peer, role);
  if (role === 'host') await giveRole(room, by, 'cohost');
  room.log.info('role changed', { peerId, role, by: by.id });
  room.hostsChanged();
}

/**
 * Gives an admitted peer a role, stored first: they are told, the others see it, and they get
 * what the role shows (the waiting room's queue, the current poll as that role sees it).
 */
export async function giveRole(room: Room, peer: Peer, role: Role): Promise<void> {
  await room.door.setRole(peer, role);
  peer.role = role;
  // In a team the role outlives the meeting: co-host is admin.
  await room.team?.remember(peer);
  peer.send({ type: 'role', role });
  room.broadcast({ type: 'peer-updated', peer: peer.info() }, peer.id);
  if (isModerator(role)) peer.send(room.lobbyMessage());
  // The current poll as the new role sees it: a co-host gets its live results, a guest not.
  const poll = room.polls?.joinView(peer);
  if (poll) peer.send({ type: 'poll', poll });
}

/** Lets one waiting peer in; ROOM_FULL leaves them waiting. */
export async function letIn(room: Room, peerId: PeerId): Promise<void> {
  const peer = room.lobby.get(peerId);
  if (!peer) throw new ProtocolError(ERROR_CODES.PEER_NOT_FOUND, 'nobody waiting with that id');
  const result = await room.admit(peer);
  room.lobby.take(peerId);
  peer.admitted(result);
  room.log.info('admitted', { peerId, peers: room.size });
  await room.lobbyChanged();
}

/**
 * Lets everyone waiting in, oldest first, until the room is full; not those who may be back
 * after a removal (marked `previouslyRemoved`): a host admits them one by one, knowingly.
 */
export async function letAllIn(room: Room): Promise<void> {
  for (const peer of room.lobby.peers()) {
    if (!room.lobby.isSuspect(peer.id)) await letIn(room, peer.id);
  }
}

/** Turns a waiting peer away for the rest of the meeting (stored first, like a removal). */
export async function deny(room: Room, peerId: PeerId): Promise<void> {
  const peer = room.lobby.get(peerId);
  if (!peer) throw new ProtocolError(ERROR_CODES.PEER_NOT_FOUND, 'nobody waiting with that id');
  await room.door.ban(peer.identity);
  if (room.lobby.take(peerId) !== peer) return;
  peer.close('denied');
  room.log.info('denied', { peerId });
  await room.lobbyChanged();
}

/**
 * Applies a moderator's settings change (`passwordHash`: undefined keeps the password, null
 * removes it; `by` null: the owner's change from outside the meeting, such as a scheduled
 * meeting's edit form). Turning the waiting room off lets in whoever was waiting, as people
 * expect.
 */
export async function changeSettings(
  room: Room,
  change: Partial<StoredSettings>,
  passwordHash: string | null | undefined,
  by: PeerId | null,
): Promise<void> {
  await room.updateSettings(change, passwordHash, by);
  logSettingsChange(room.log, change, passwordHash, by);
  if (change.waitingRoom === false) await letAllIn(room);
}

/**
 * One line per settings event: lock, password, and the other switches by name. Never the
 * password or its hash, only whether there is one.
 */
function logSettingsChange(
  log: Log,
  change: Partial<StoredSettings>,
  passwordHash: string | null | undefined,
  by: PeerId | null,
): void {
  const { locked, ...rest } = change;
  if (locked !== undefined) log.info(locked ? 'room locked' : 'room unlocked', { by });
  if (passwordHash !== undefined) {
    log.info(passwordHash === null ? 'password removed' : 'password changed', { by });
  }
  const changed = Object.keys(rest);
  if (changed.length > 0) log.info('settings changed', { changed, by });
}
