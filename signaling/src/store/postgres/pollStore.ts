import type { RoomId } from '@parley/protocol';
import { POLL_COLUMNS, VOTE_COLUMNS, pollRecordOf, pollValues, voteRecordOf } from '../pollRows.ts';
import type { PollRow, VoteRow } from '../pollRows.ts';
import type { PollStore, StoredPoll, StoredVote, VoteOutcome } from '../types.ts';
import type { PgPool } from './pool.ts';

/**
 * Polls in PostgreSQL. A partial unique index keeps one open poll per room; the votes' primary
 * key (poll, person) keeps one vote per person, even across nodes.
 */
export class PgPollStore implements PollStore {
  constructor(private readonly pool: PgPool) {}

  async create(poll: StoredPoll): Promise<boolean> {
    const rows = await this.pool.query(
      `INSERT INTO polls (${POLL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING RETURNING id`,
      pollValues(poll, (b) => b),
    );
    return rows.length > 0;
  }

  async latest(roomId: RoomId): Promise<StoredPoll | undefined> {
    const [row] = await this.pool.query<PollRow>(
      `SELECT ${POLL_COLUMNS} FROM polls WHERE room_id = $1
       ORDER BY launched_at DESC, id DESC LIMIT 1`,
      [roomId],
    );
    return row && pollRecordOf(row);
  }

  async list(roomId: RoomId): Promise<StoredPoll[]> {
    const rows = await this.pool.query<PollRow>(
      `SELECT ${POLL_COLUMNS} FROM polls WHERE room_id = $1 ORDER BY launched_at, id`,
      [roomId],
    );
    return rows.map(pollRecordOf);
  }

  async end(pollId: string, at: number): Promise<boolean> {
    const rows = await this.pool.query(
      'UPDATE polls SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL RETURNING id',
      [at, pollId],
    );
    return rows.length > 0;
  }

  async share(pollId: string): Promise<void> {
    await this.pool.query('UPDATE polls SET shared = TRUE WHERE id = $1', [pollId]);
  }

  async vote(pollId: string, vote: StoredVote, replace: boolean): Promise<VoteOutcome> {
    const values = [pollId, vote.key, vote.name, JSON.stringify(vote.choices), vote.at];
    const inserted = await this.pool.query(
      `INSERT INTO poll_votes (poll_id, ${VOTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING person_key`,
      values,
    );
    if (inserted.length > 0) return 'stored';
    if (!replace) return 'duplicate';
    await this.pool.query(
      `UPDATE poll_votes SET name = $3, choices = $4, voted_at = $5
       WHERE poll_id = $1 AND person_key = $2`,
      values,
    );
    return 'replaced';
  }

  async votes(pollId: string): Promise<StoredVote[]> {
    const rows = await this.pool.query<VoteRow>(
      `SELECT ${VOTE_COLUMNS} FROM poll_votes WHERE poll_id = $1 ORDER BY voted_at, person_key`,
      [pollId],
    );
    return rows.map(voteRecordOf);
  }
}
