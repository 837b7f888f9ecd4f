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
import type { PgPool, Tx } from './pool.ts';

/**
 * Teams in PostgreSQL. The unique index on (team_id, name_key) refuses a duplicate name
 * whichever node writes it; adding a channel locks the team's row, so two adds at once take
 * positions one after the other.
 */
export class PgTeamStore implements TeamStore {
  constructor(private readonly pool: PgPool) {}

  create(team: TeamRecord, firstChannelName: string): Promise<ChannelRecord | undefined> {
    return this.pool.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO teams (${TEAM_COLUMNS}) VALUES ($1, $2, $3, $4)
         ON CONFLICT (room_id) DO NOTHING RETURNING room_id`,
        [team.id, team.name, JSON.stringify(team.settings), team.createdAt],
      );
      if (inserted.length === 0) return undefined;
      return insertChannel(tx, team.id, firstChannelName, 0, team.createdAt);
    });
  }

  async get(teamId: RoomId): Promise<TeamRecord | undefined> {
    const [row] = await this.pool.query<TeamRow>(
      `SELECT ${TEAM_COLUMNS} FROM teams WHERE room_id = $1`,
      [teamId],
    );
    return row && teamRecordOf(row);
  }

  async rename(teamId: RoomId, name: string): Promise<boolean> {
    const rows = await this.pool.query(
      'UPDATE teams SET name = $2 WHERE room_id = $1 RETURNING room_id',
      [teamId, name],
    );
    return rows.length === 1;
  }

  async saveSettings(teamId: RoomId, settings: TeamSettings): Promise<boolean> {
    const rows = await this.pool.query(
      'UPDATE teams SET settings = $2 WHERE room_id = $1 RETURNING room_id',
      [teamId, JSON.stringify(settings)],
    );
    return rows.length === 1;
  }

  async channels(teamId: RoomId): Promise<ChannelRecord[]> {
    const rows = await this.pool.query<ChannelRow>(
      `SELECT ${CHANNEL_COLUMNS} FROM team_channels WHERE team_id = $1 ORDER BY position, id`,
      [teamId],
    );
    return rows.map(channelRecordOf);
  }

  addChannel(teamId: RoomId, name: string): Promise<ChannelResult> {
    return this.pool.transaction(async (tx): Promise<ChannelResult> => {
      const team = await tx.query('SELECT 1 FROM teams WHERE room_id = $1 FOR UPDATE', [teamId]);
      if (team.length === 0) return { ok: false, reason: 'not-found' };
      const [last] = await tx.query<{ position: number }>(
        'SELECT COALESCE(MAX(position), -1) AS position FROM team_channels WHERE team_id = $1',
        [teamId],
      );
      const added = await insertChannel(tx, teamId, name, (last?.position ?? -1) + 1, Date.now());
      return added ? { ok: true, channel: added } : { ok: false, reason: 'duplicate-name' };
    });
  }

  async renameChannel(teamId: RoomId, channelId: string, name: string): Promise<ChannelResult> {
    let rows: ChannelRow[];
    try {
      rows = await this.pool.query<ChannelRow>(
        `UPDATE team_channels SET name = $3, name_key = $4 WHERE team_id = $1 AND id = $2
         RETURNING ${CHANNEL_COLUMNS}`,
        [teamId, channelId, name, channelNameKey(name)],
      );
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, reason: 'duplicate-name' };
      throw error;
    }
    const [row] = rows;
    return row ? { ok: true, channel: channelRecordOf(row) } : { ok: false, reason: 'not-found' };
  }

  async removeChannel(teamId: RoomId, channelId: string): Promise<boolean> {
    const rows = await this.pool.query(
      'DELETE FROM team_channels WHERE team_id = $1 AND id = $2 RETURNING id',
      [teamId, channelId],
    );
    return rows.length === 1;
  }

  async members(teamId: RoomId): Promise<TeamMemberRecord[]> {
    const rows = await this.pool.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM team_members WHERE team_id = $1
       ORDER BY added_at, identity_key`,
      [teamId],
    );
    return rows.map(memberRecordOf);
  }

  async member(
    teamId: RoomId,
    identityKeys: readonly string[],
  ): Promise<TeamMemberRecord | undefined> {
    const rows = await this.pool.query<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM team_members
       WHERE team_id = $1 AND identity_key = ANY($2::text[])`,
      [teamId, identityKeys],
    );
    return firstByKeys(rows, identityKeys);
  }

  async putMember(teamId: RoomId, m: TeamMemberRecord): Promise<boolean> {
    // INSERT ... SELECT FROM teams: an unknown team writes nothing instead of failing its
    // foreign key.
    const rows = await this.pool.query(
      `INSERT INTO team_members (team_id, ${MEMBER_COLUMNS})
       SELECT room_id, $2, $3, $4, $5 FROM teams WHERE room_id = $1
       ON CONFLICT (team_id, identity_key)
         DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role
       RETURNING team_id`,
      [teamId, m.identityKey, m.name, m.role, m.addedAt],
    );
    return rows.length === 1;
  }

  async removeMember(teamId: RoomId, identityKey: string): Promise<boolean> {
    const rows = await this.pool.query(
      'DELETE FROM team_members WHERE team_id = $1 AND identity_key = $2 RETURNING team_id',
      [teamId, identityKey],
    );
    return rows.length === 1;
  }

  async listByMember(identityKeys: readonly string[], limit = 100): Promise<TeamRecord[]> {
    const rows = await this.pool.query<TeamRow>(
      `SELECT ${TEAM_COLUMNS} FROM teams
       WHERE room_id IN (SELECT team_id FROM team_members WHERE identity_key = ANY($1::text[]))
       ORDER BY created_at DESC, room_id LIMIT $2`,
      [identityKeys, limit],
    );
    return rows.map(teamRecordOf);
  }
}

/** The channel as stored, or undefined when the team has one of that name. */
async function insertChannel(
  tx: Tx,
  teamId: RoomId,
  name: string,
  position: number,
  createdAt: number,
): Promise<ChannelRecord | undefined> {
  const record = { id: newChannelId(), teamId, name, position, createdAt };
  const rows = await tx.query(
    `INSERT INTO team_channels (id, team_id, name, name_key, position, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id, name_key) DO NOTHING RETURNING id`,
    [record.id, teamId, name, channelNameKey(name), position, createdAt],
  );
  return rows.length === 1 ? record : undefined;
}

/** SQLSTATE 23505: the unique index on a team's channel names refused the write. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
