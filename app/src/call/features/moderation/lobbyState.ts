import type { MediaState, Role, WaitingPeer } from '@parley/protocol';

/** Hosts and co-hosts run the meeting: the waiting room, muting, removing, the settings. */
export function isModerator(role: Role | null): boolean {
  return role === 'host' || role === 'cohost';
}

/** Who is new in the waiting room's queue (in queue order). */
export function arrivals(
  before: readonly WaitingPeer[],
  now: readonly WaitingPeer[],
): WaitingPeer[] {
  const known = new Set(before.map((w) => w.peerId));
  return now.filter((w) => !known.has(w.peerId));
}

/**
 * What the waiting room says beside a name the server marked: this may be someone a host removed
 * or turned away earlier in the meeting, back with a new identity (same network, cleared storage).
 */
export function removedMark(w: WaitingPeer): string | null {
  return w.previouslyRemoved ? 'previously removed' : null;
}

/** Told when a host lets us turn a device back on after muting it. */
export function unmuteAllowedNotice(kind: 'audio' | 'video'): string {
  return kind === 'audio'
    ? 'A host lets you unmute your microphone.'
    : 'A host lets you turn your camera back on.';
}

/** Told when we turned a device back on while the room still holds a host's mute. */
export const UNMUTE_REFUSED_NOTICE =
  'A host muted you. You can turn it back on once a host allows it.';

/** The quiet notice for newcomers: "Ada is waiting to join." */
export function arrivalNotice(arrived: readonly WaitingPeer[]): string | null {
  const [first] = arrived;
  if (!first) return null;
  const mark = removedMark(first);
  if (arrived.length === 1) return `${first.name}${mark ? ` (${mark})` : ''} is waiting to join.`;
  const others = arrived.length - 1;
  return `${first.name} and ${others} ${others === 1 ? 'other' : 'others'} are waiting to join.`;
}

/** How long someone has waited, from the server's `since` (clock skew clamps to "just now"). */
export function waitedFor(since: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - since) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export type TileAction =
  | 'mute'
  | 'stop-video'
  | 'allow-unmute'
  | 'allow-video'
  | 'remove'
  | 'make-host'
  | 'make-cohost'
  | 'make-guest';

export interface TileMenuItem {
  action: TileAction;
  label: string;
  /** Shown but not usable (their microphone is already off). */
  disabled: boolean;
}

/**
 * The host menu of someone's tile, following the server's rules: hosts may mute anyone and stop
 * anyone's camera, co-hosts anyone but a host; a host cannot be removed and a co-host only by a
 * host; only a host changes roles (never another host's), and hands the host role over (Make
 * host). Guests get no menu (an empty list).
 */
export function tileMenu(
  self: Role | null,
  target: { role: Role; media: MediaState },
  /** The room's `selfUnmute`: off, a guest a host muted waits for "Allow to unmute". */
  selfUnmute = true,
): TileMenuItem[] {
  if (!isModerator(self)) return [];
  // A co-host has no power over a host (the server's TARGETS table refuses it too).
  if (self === 'cohost' && target.role === 'host') return [];
  const items: TileMenuItem[] = [
    { action: 'mute', label: 'Mute', disabled: !target.media.audio },
    { action: 'stop-video', label: 'Stop video', disabled: !target.media.video },
  ];
  if (!selfUnmute && target.role === 'guest') {
    if (!target.media.audio) {
      items.push({ action: 'allow-unmute', label: 'Allow to unmute', disabled: false });
    }
    if (!target.media.video) {
      items.push({ action: 'allow-video', label: 'Allow camera', disabled: false });
    }
  }
  if (target.role === 'guest' || (target.role === 'cohost' && self === 'host')) {
    items.push({ action: 'remove', label: 'Remove', disabled: false });
  }
  if (self === 'host' && target.role === 'guest') {
    items.push({ action: 'make-cohost', label: 'Make co-host', disabled: false });
  }
  if (self === 'host' && target.role === 'cohost') {
    items.push({ action: 'make-guest', label: 'Make guest', disabled: false });
  }
  if (self === 'host' && target.role !== 'host') {
    items.push({ action: 'make-host', label: 'Make host', disabled: false });
  }
  return items;
}

/** The words for a host action the server refused. */
export function actionFailure(
  what: string,
  code: string,
  message: string,
  hostOnly = false,
): string {
  if (code === 'FORBIDDEN') {
    return `You cannot ${what}: only ${hostOnly ? 'the host' : 'a host or co-host'} can.`;
  }
  if (code === 'PEER_NOT_FOUND') return `Could not ${what}: they are no longer here.`;
  return `Could not ${what}: ${message}`;
}

/**
 * Whom a host leaving may hand the host role to, the likeliest first: co-hosts, then everyone
 * else, each in join order (the order the server promotes in when nobody is chosen). Empty when
 * there is nobody, or another host stays: then leaving needs no question.
 */
export function successors<P extends { role: Role }>(self: Role | null, peers: readonly P[]): P[] {
  if (self !== 'host' || peers.some((p) => p.role === 'host')) return [];
  return [...peers.filter((p) => p.role === 'cohost'), ...peers.filter((p) => p.role === 'guest')];
}
