import type { RoomId } from '@parley/protocol';

// The storage interface of walkie-talkie teams (issue #16): teams, channels and members.
// Part of types.ts's Storage, kept apart by subject.

/** A team's own settings (issue #16); its room's settings stay in `rooms`. */
export interface TeamSettings {
  /** Newcomers wait for an admin (the room's waiting room). Default false. */
  requireApproval: boolean;
  /** A refused floor request waits in line instead of hearing busy. Default false. */
  queue: boolean;
  /** Talk time before the floor is released by itself. Default 60. */
  maxTalkSeconds: number;
}

/**
 * A walkie-talkie team. A team IS a room: `id` is the id of a row in `rooms` (created first,
 * through `RoomStore.create`, with the host key and owner), and removing that room removes
 * the team with its channels and members.
 */
export interface TeamRecord {
  id: RoomId;
  name: string;
  settings: TeamSettings;
  createdAt: number;
}

/** An audio channel of a team. Its id is made by the store, random and stable. */
export interface ChannelRecord {
  id: string;
  teamId: RoomId;
  name: string;
  /** Where it is listed: ascending, a new channel after the others. */
  position: number;
  createdAt: number;
}

/**
 * What a channel write did: the channel as stored, or why nothing was written
 * (`duplicate-name`: the team has a channel of that name, in any case; `not-found`: no such
 * team, or for a rename no such channel in it).
 */
export type ChannelResult =
  { ok: true; channel: ChannelRecord } | { ok: false; reason: 'duplicate-name' | 'not-found' };

export type TeamRole = 'admin' | 'member';

/** A member of a team, under one of its identity keys (`d:<deviceId>`, `u:<userId>`). */
export interface TeamMemberRecord {
  identityKey: string;
  name: string;
  role: TeamRole;
  /** When the key first joined the team; a later `putMember` keeps it. */
  addedAt: number;
}

/**
 * Teams, their channels and members (issue #16). Channel names are unique per team
 * case-insensitively (Unicode case, decided by a unique index, not a race). Who may do what
 * (the last admin, the last channel) is the caller's rule, not the store's.
 */
export interface TeamStore {
  /**
   * Stores the team and its first channel at position 0 in one transaction. Undefined when
   * the room already has a team (a retried create), so nothing is written twice. The room
   * must exist.
   */
  create(team: TeamRecord, firstChannelName: string): Promise<ChannelRecord | undefined>;
  get(teamId: RoomId): Promise<TeamRecord | undefined>;
  /** False: no such team. */
  rename(teamId: RoomId, name: string): Promise<boolean>;
  /** False: no such team. */
  saveSettings(teamId: RoomId, settings: TeamSettings): Promise<boolean>;
  /** The team's channels by position (empty for an unknown team). */
  channels(teamId: RoomId): Promise<ChannelRecord[]>;
  /** A new channel after the last one. */
  addChannel(teamId: RoomId, name: string): Promise<ChannelResult>;
  renameChannel(teamId: RoomId, channelId: string, name: string): Promise<ChannelResult>;
  /** False: the team has no such channel. */
  removeChannel(teamId: RoomId, channelId: string): Promise<boolean>;
  /** Every member, the earliest added first. */
  members(teamId: RoomId): Promise<TeamMemberRecord[]>;
  /**
   * The member stored under the first of `identityKeys` that has one: a person known by
   * device and by account, the caller's preferred key first.
   */
  member(teamId: RoomId, identityKeys: readonly string[]): Promise<TeamMemberRecord | undefined>;
  /** Adds the member, or updates its name and role (keeping `addedAt`). False: no such team. */
  putMember(teamId: RoomId, member: TeamMemberRecord): Promise<boolean>;
  /** False: no such member. */
  removeMember(teamId: RoomId, identityKey: string): Promise<boolean>;
  /** The teams any of these keys belong to, the newest team first, at most `limit` (100). */
  listByMember(identityKeys: readonly string[], limit?: number): Promise<TeamRecord[]>;
}
