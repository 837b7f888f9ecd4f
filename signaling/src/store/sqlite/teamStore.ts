import type { RoomId } from '@parley/protocol';
import {
  CHANNEL_COLUMNS,
  MEMBER_COLUMNS,
  TEAM_COLUMNS,
  channelNameKey,
  channelRecordOf,
  firstByKeys,
  memberRecordOf,
  newChannelId,
  teamRecordOf,
} from '../teamRows.ts';
import type { ChannelRow, MemberRow, TeamRow } from '../teamRows.ts';
import type {
  ChannelRecord,
  ChannelResult,
  TeamMemberRecord,
  TeamRecord,
  TeamSettings,
  TeamStore,
} from '../types.ts';
import type { Db } from './db.ts';

/** Identity key lists travel as one JSON parameter, read back with json_each. */
const KEYS_IN = 'identity_key IN (SELECT value FROM json_each(?))';

/**
 * Teams in SQLite. Each write is one statement or one synchronous transaction, so nothing
 * interleaves inside it; the unique index on (team_id, name_key) refuses a duplicate name.
 */
export class SqliteTeamStore implements TeamStore {
  readonly #create;
  readonly #get;
  readonly #rename;
  readonly #saveSettings;
  readonly #channels;
  readonly #addChannel;
  readonly #renameChannel;
  readonly #removeChannel;
  readonly #members;
  readonly #member;
  readonly #putMember;
  readonly #removeMember;
  readonly #byMember;

  constructor(db: Db) {
    const insertTeam = db.prepare(
      `INSERT INTO teams (${TEAM_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (room_id) DO NOTHING`,
    );
    const insertChannel = db.prepare(
      `INSERT INTO team_channels (id, team_id, name, name_key, position, created_at)
       VALUES (@id, @teamId, @name, @nameKey, @position, @createdAt)
       ON CONFLICT (team_id, name_key) DO NOTHING`,
    );
    const channel = (teamId: RoomId, name: string, position: number, createdAt: number) => {
      const record = { id: newChannelId(), teamId, name, position, createdAt };
      const { changes } = insertChannel.run({ ...record, nameKey: channelNameKey(name) });
      return changes === 1 ? record : undefined;
    };
    this.#create = db.transaction((team: TeamRecord, firstChannelName: string) => {
      const { id, name, settings, createdAt } = team;
      if (insertTeam.run(id, name, JSON.stringify(settings), createdAt).changes === 0) return;
      return channel(id, firstChannelName, 0, createdAt);
    });
    this.#get = db.prepare<[string], TeamRow>(
      `SELECT ${TEAM_COLUMNS} FROM teams WHERE room_id = ?`,
    );
    this.#rename = db.prepare('UPDATE teams SET name = ? WHERE room_id = ?');
    this.#saveSettings = db.prepare('UPDATE teams SET settings = ? WHERE room_id = ?');
    this.#channels = db.prepare<[string], ChannelRow>(
      `SELECT ${CHANNEL_COLUMNS} FROM team_channels WHERE team_id = ? ORDER BY position, id`,
    );
    const lastPosition = db
      .prepare<[string], number>(
        'SELECT COALESCE(MAX(position), -1) FROM team_channels WHERE team_id = ?',
      )
      .pluck();
    this.#addChannel = db.transaction((teamId: RoomId, name: string): ChannelResult => {
      if (!this.#get.get(teamId)) return { ok: false, reason: 'not-found' };
      const added = channel(teamId, name, (lastPosition.get(teamId) ?? -1) + 1, Date.now());
      return added ? { ok: true, channel: added } : { ok: false, reason: 'duplicate-name' };
    });
    this.#renameChannel = db.prepare<[string, string, string, string], ChannelRow>(
      `UPDATE team_channels SET name = ?, name_key = ? WHERE team_id = ? AND id = ?
       RETURNING ${CHANNEL_COLUMNS}`,
    );
    this.#removeChannel = db.prepare('DELETE FROM team_channels WHERE team_id = ? AND id = ?');
    this.#members = db.prepare<[string], MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM team_members WHERE team_id = ?
       ORDER BY added_at, identity_key`,
    );
    this.#member = db.prepare<[string, string], MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM team_members WHERE team_id = ? AND ${KEYS_IN}`,
    );
    // INSERT ... SELECT FROM teams: an unknown team writes nothing instead of failing its
    // foreign key. (The WHERE also keeps SQLite from reading ON CONFLICT as a join's ON.)
    this.#putMember = db.prepare(
      `INSERT INTO team_members (team_id, ${MEMBER_COLUMNS})
       SELECT room_id, @identityKey, @name, @role, @addedAt FROM teams WHERE room_id = @teamId
       ON CONFLICT (team_id, identity_key) DO UPDATE SET name = excluded.name, role = excluded.role`,
    );
    this.#removeMember = db.prepare(
      'DELETE FROM team_members WHERE team_id = ? AND identity_key = ?',
    );
    this.#byMember = db.prepare<[string, number], TeamRow>(
      `SELECT ${TEAM_COLUMNS} FROM teams
       WHERE room_id IN (SELECT team_id FROM team_members WHERE ${KEYS_IN})
       ORDER BY created_at DESC, room_id LIMIT ?`,
    );
  }

  async create(team: TeamRecord, firstChannelName: string): Promise<ChannelRecord | undefined> {
    return this.#create(team, firstChannelName);
  }

  async get(teamId: RoomId): Promise<TeamRecord | undefined> {
    const row = this.#get.get(teamId);
    return row && teamRecordOf(row);
  }

  async rename(teamId: RoomId, name: string): Promise<boolean> {
    return this.#rename.run(name, teamId).changes === 1;
  }

  async saveSettings(teamId: RoomId, settings: TeamSettings): Promise<boolean> {
    return this.#saveSettings.run(JSON.stringify(settings), teamId).changes === 1;
  }

  async channels(teamId: RoomId): Promise<ChannelRecord[]> {
    return this.#channels.all(teamId).map(channelRecordOf);
  }

  async addChannel(teamId: RoomId, name: string): Promise<ChannelResult> {
    return this.#addChannel(teamId, name);
  }

  async renameChannel(teamId: RoomId, channelId: string, name: string): Promise<ChannelResult> {
    let row: ChannelRow | undefined;
    try {
      row = this.#renameChannel.get(name, channelNameKey(name), teamId, channelId);
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate-name' };
      throw error;
    }
    return row ? { ok: true, channel: channelRecordOf(row) } : { ok: false, reason: 'not-found' };
  }

  async removeChannel(teamId: RoomId, channelId: string): Promise<boolean> {
    return this.#removeChannel.run(teamId, channelId).changes === 1;
  }

  async members(teamId: RoomId): Promise<TeamMemberRecord[]> {
    return this.#members.all(teamId).map(memberRecordOf);
  }

  async member(
    teamId: RoomId,
    identityKeys: readonly string[],
  ): Promise<TeamMemberRecord | undefined> {
    return firstByKeys(this.#member.all(teamId, JSON.stringify(identityKeys)), identityKeys);
  }

  async putMember(teamId: RoomId, member: TeamMemberRecord): Promise<boolean> {
    return this.#putMember.run({ teamId, ...member }).changes === 1;
  }

  async removeMember(teamId: RoomId, identityKey: string): Promise<boolean> {
    return this.#removeMember.run(teamId, identityKey).changes === 1;
  }

  async listByMember(identityKeys: readonly string[], limit = 100): Promise<TeamRecord[]> {
    return this.#byMember.all(JSON.stringify(identityKeys), limit).map(teamRecordOf);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
