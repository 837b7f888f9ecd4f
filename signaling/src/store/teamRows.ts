import { randomBytes } from 'node:crypto';
import type { RoomId } from '@parley/protocol';
import type {
  ChannelRecord,
  TeamMemberRecord,
  TeamRecord,
  TeamRole,
  TeamSettings,
} from './types.ts';

/**
 * The team tables' rows as both engines return them, and the records `TeamStore` hands out:
 * one mapping, so the engines cannot drift apart (like `rows.ts` for the rooms).
 */

export const TEAM_COLUMNS = 'room_id, name, settings, created_at';
export const CHANNEL_COLUMNS = 'id, team_id, name, position, created_at';
export const MEMBER_COLUMNS = 'identity_key, name, role, added_at';

export interface TeamRow {
  room_id: string;
  name: string;
  /** SQLite: JSON text; PostgreSQL: the parsed JSONB. */
  settings: unknown;
  created_at: number;
}

export interface ChannelRow {
  id: string;
  team_id: string;
  name: string;
  position: number;
  created_at: number;
}

export interface MemberRow {
  identity_key: string;
  name: string;
  role: string;
  added_at: number;
}

/** A new team's settings: anyone with the link may join, no queue, 60 s to talk. */
export function defaultTeamSettings(): TeamSettings {
  return { requireApproval: false, queue: false, maxTalkSeconds: 60 };
}

/** Stored settings over the defaults: a setting added later or a damaged value gets its default. */
export function parseTeamSettings(stored: unknown): TeamSettings {
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      value = {}; // a damaged row falls back to the defaults
    }
  }
  const fields =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const defaults = defaultTeamSettings();
  const flag = (key: 'requireApproval' | 'queue'): boolean =>
    typeof fields[key] === 'boolean' ? fields[key] : defaults[key];
  const seconds = fields['maxTalkSeconds'];
  return {
    requireApproval: flag('requireApproval'),
    queue: flag('queue'),
    maxTalkSeconds:
      typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
        ? seconds
        : defaults.maxTalkSeconds,
  };
}

/** 9 random bytes as base64url (12 characters): short in a URL or a message, never reused. */
export function newChannelId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * What the unique index compares channel names by: Unicode lower case of the NFC form, made
 * here rather than by the engine, because SQLite's NOCASE and lower() fold only ASCII while
 * PostgreSQL's lower() follows the locale; "Küche" and "KÜCHE" are one name on both.
 */
export function channelNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

export function teamRecordOf(row: TeamRow): TeamRecord {
  return {
    id: row.room_id as RoomId,
    name: row.name,
    settings: parseTeamSettings(row.settings),
    createdAt: row.created_at,
  };
}

export function channelRecordOf(row: ChannelRow): ChannelRecord {
  return {
    id: row.id,
    teamId: row.team_id as RoomId,
    name: row.name,
    position: row.position,
    createdAt: row.created_at,
  };
}

/** A damaged role reads as `member`: never more than it was given. */
export function memberRecordOf(row: MemberRow): TeamMemberRecord {
  const role: TeamRole = row.role === 'admin' ? 'admin' : 'member';
  return { identityKey: row.identity_key, name: row.name, role, addedAt: row.added_at };
}

/** The row under the first of `keys` that has one. */
export function firstByKeys(
  rows: readonly MemberRow[],
  keys: readonly string[],
): TeamMemberRecord | undefined {
  for (const key of keys) {
    const row = rows.find((r) => r.identity_key === key);
    if (row) return memberRecordOf(row);
  }
  return undefined;
}
