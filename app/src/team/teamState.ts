import type { Channel, Role, TeamSettings, WaitingPeer } from '@parley/protocol';

/** Our own floor: nothing, asked for, waiting in line, or talking. */
export type TalkState =
  | { kind: 'idle' }
  | { kind: 'requesting'; channelId: string }
  | { kind: 'queued'; channelId: string; position: number }
  | { kind: 'granted'; channelId: string };

export type TeamPhase =
  'prejoin' | 'joining' | 'waiting' | 'in-team' | 'reconnecting' | 'removed' | 'failed';

export type Removal = 'denied' | 'removed' | 'ended' | 'replaced';

/** Someone else in the team room now. */
export interface Person {
  peerId: string;
  name: string;
  role: Role;
}

/** Everything the team page shows, as plain data (no WebRTC objects: see TeamMedia). */
export interface TeamSnapshot {
  phase: TeamPhase;
  teamName: string;
  selfId: string | null;
  role: Role | null;
  channels: Channel[];
  /** Who talks on each channel now (channel id -> peer id). */
  talkers: Record<string, string>;
  /** Peer names by id, ours included. */
  names: Record<string, string>;
  /** Everyone else in the team room now, in the order they came. */
  people: Person[];
  /** Admins: newcomers waiting for approval (the room's waiting room). */
  lobby: WaitingPeer[];
  /** Held in the waiting room: our place in line (1 = next). */
  waitingPosition: number | null;
  /** Why we are out: an admin turned us away or removed us, or the host ended it. */
  removal: Removal | null;
  settings: TeamSettings | null;
  /** The channels we listen to, by id. */
  listening: string[];
  /** The channel the Hold to talk button talks on. */
  talkOn: string | null;
  /** Per channel, 0..1 (default 1). */
  volumes: Record<string, number>;
  talk: TalkState;
  /** Why the last press did not get the floor, or why our floor ended. */
  reason: string | null;
  /** Something to tell that is not about the floor (no microphone, a refused admin action). */
  notice: string | null;
  error: string | null;
  /** How many busy tones played (the e2e test reads it through the page). */
  busyTones: number;
  permitTones: number;
}

export function initialTeamSnapshot(teamName = ''): TeamSnapshot {
  return {
    phase: 'prejoin',
    teamName,
    selfId: null,
    role: null,
    channels: [],
    talkers: {},
    names: {},
    people: [],
    lobby: [],
    waitingPosition: null,
    removal: null,
    settings: null,
    listening: [],
    talkOn: null,
    volumes: {},
    talk: { kind: 'idle' },
    reason: null,
    notice: null,
    error: null,
    busyTones: 0,
    permitTones: 0,
  };
}

/**
 * The phase a member in the team shows: Reconnecting… while its socket is down or not yet
 * resumed (`seated` false) or its media restarts ICE; in the team otherwise. Any other phase
 * (joining, waiting, out) is not the connection's to change.
 */
export function connectionPhase(phase: TeamPhase, seated: boolean, restarting: boolean): TeamPhase {
  if (phase !== 'in-team' && phase !== 'reconnecting') return phase;
  return seated && !restarting ? 'in-team' : 'reconnecting';
}

export function isAdmin(role: Role | null): boolean {
  return role === 'host' || role === 'cohost';
}

export function channelName(snap: TeamSnapshot, channelId: string): string {
  return snap.channels.find((c) => c.id === channelId)?.name ?? 'The channel';
}

/** The name of whoever talks on `channelId` now, "You" for us; null when nobody does. */
export function talkerName(snap: TeamSnapshot, channelId: string): string | null {
  const peerId = snap.talkers[channelId];
  if (peerId === undefined) return null;
  if (peerId === snap.selfId) return 'You';
  return snap.names[peerId] ?? 'Someone';
}

/** The words for a refused press: "Ops is busy: Bob is talking". */
export function busyReason(snap: TeamSnapshot, channelId: string): string {
  const who = talkerName(snap, channelId);
  const name = channelName(snap, channelId);
  return who && who !== 'You' ? `${name} is busy: ${who} is talking` : `${name} is busy`;
}

const ENDED: Record<'expired' | 'preempted' | 'revoked' | 'channel-removed', string> = {
  expired: 'Talk time is up',
  preempted: 'An admin ended your turn',
  revoked: 'An admin ended your turn',
  'channel-removed': 'The channel was removed',
};

export function endedReason(reason: keyof typeof ENDED): string {
  return ENDED[reason];
}

/** Other refusals of a press, in words; the code when we have none. */
export function refusedReason(code: string, message: string): string {
  switch (code) {
    case 'ALREADY_TALKING':
      return 'You are talking on another channel';
    case 'CHANNEL_NOT_FOUND':
      return 'That channel is gone';
    case 'OFFLINE':
    case 'TIMEOUT':
    case 'CLOSED':
      return 'Not connected: try again in a moment';
    default:
      return message || code;
  }
}

/**
 * The channel list changed (added, renamed, removed): choices about channels that are gone
 * go, and the talk channel falls back to the first one.
 */
export function withChannels(snap: TeamSnapshot, channels: Channel[]): Partial<TeamSnapshot> {
  const ids = new Set(channels.map((c) => c.id));
  const talkers = Object.fromEntries(Object.entries(snap.talkers).filter(([id]) => ids.has(id)));
  const talkOn = snap.talkOn && ids.has(snap.talkOn) ? snap.talkOn : (channels[0]?.id ?? null);
  return {
    channels,
    talkers,
    talkOn,
    listening: snap.listening.filter((id) => ids.has(id)),
  };
}

/** Who talks where, for the live region: "Bob is talking on General." */
export function talkingSummary(snap: TeamSnapshot): string {
  const lines = snap.channels
    .map((c) => {
      const who = talkerName(snap, c.id);
      if (!who) return null;
      return who === 'You' ? `You are talking on ${c.name}.` : `${who} is talking on ${c.name}.`;
    })
    .filter((line) => line !== null);
  return lines.join(' ');
}

/** The label of the Hold to talk button for the state we are in. */
export function holdLabel(snap: TeamSnapshot): string {
  const { talk } = snap;
  if (talk.kind === 'granted') return `Talking on ${channelName(snap, talk.channelId)}`;
  if (talk.kind === 'queued') return queuedLabel(snap, talk.channelId, talk.position);
  if (talk.kind === 'requesting') return 'Asking to talk…';
  return 'Hold to talk';
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${String(n)}th`;
  const suffix = ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${String(n)}${suffix}`;
}

/** Our place in a channel's line: "Waiting to talk on Ops: 2nd in line". */
export function queuedLabel(snap: TeamSnapshot, channelId: string, position: number): string {
  return `Waiting to talk on ${channelName(snap, channelId)}: ${ordinal(position)} in line`;
}

/** The channel `peerId` talks on now, if any. */
export function talkingOn(snap: TeamSnapshot, peerId: string): Channel | null {
  const channelId = Object.keys(snap.talkers).find((id) => snap.talkers[id] === peerId);
  return snap.channels.find((c) => c.id === channelId) ?? null;
}

/** A join refused with BANNED: the team's words for the meeting's. */
export const BANNED_FROM_TEAM = 'An admin removed you from this team or did not let you in.';

/** Why we are out of the team, in words. */
export function removalMessage(reason: Removal): string {
  if (reason === 'denied') return 'An admin did not let you in to this team.';
  if (reason === 'removed') return 'An admin removed you from this team.';
  if (reason === 'replaced') return 'You opened this team in another tab or window.';
  return 'The host ended the team’s session for everyone.';
}
