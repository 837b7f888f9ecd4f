import type { RoomId } from '@parley/protocol';
import { POLL_COLUMNS, VOTE_COLUMNS, pollRecordOf, pollValues, voteRecordOf } from '../pollRows.ts';
import type { PollRow, VoteRow } from '../pollRows.ts';
import type { PollStore, StoredPoll, StoredVote, VoteOutcome } from '../types.ts';
import type { Db } from './db.ts';

/**
 * Polls in SQLite. A partial unique index keeps one open poll per room; the votes' primary
 * key (poll, person) keeps one vote per person, whatever the callers race.
 */
export class SqlitePollStore implements PollStore {
  readonly #create;
  readonly #latest;
  readonly #list;
  readonly #end;
  readonly #share;
  readonly #vote;
  readonly #votes;

  constructor(db: Db) {
    this.#create = db.prepare(
      `INSERT INTO polls (${POLL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.#latest = db.prepare<[string], PollRow>(
      `SELECT ${POLL_COLUMNS} FROM polls WHERE room_id = ? ORDER BY launched_at DESC, id DESC
       LIMIT 1`,
    );
    this.#list = db.prepare<[string], PollRow>(
      `SELECT ${POLL_COLUMNS} FROM polls WHERE room_id = ? ORDER BY launched_at, id`,
    );
    this.#end = db.prepare('UPDATE polls SET ended_at = ? WHERE id = ? AND ended_at IS NULL');
    this.#share = db.prepare('UPDATE polls SET shared = 1 WHERE id = ?');
    const insert = db.prepare(
      `INSERT INTO poll_votes (poll_id, ${VOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    const replace = db.prepare(
      `UPDATE poll_votes SET name = ?, choices = ?, voted_at = ?
       WHERE poll_id = ? AND person_key = ?`,
    );
    this.#vote = db.transaction((pollId: string, vote: StoredVote, again: boolean): VoteOutcome => {
      const choices = JSON.stringify(vote.choices);
      if (insert.run(pollId, vote.key, vote.name, choices, vote.at).changes > 0) return 'stored';
      if (!again) return 'duplicate';
      replace.run(vote.name, choices, vote.at, pollId, vote.key);
      return 'replaced';
    });
    this.#votes = db.prepare<[string], VoteRow>(
      `SELECT ${VOTE_COLUMNS} FROM poll_votes WHERE poll_id = ? ORDER BY voted_at, person_key`,
    );
  }

  async create(poll: StoredPoll): Promise<boolean> {
    return this.#create.run(...pollValues(poll, (b) => (b ? 1 : 0))).changes > 0;
  }

  async latest(roomId: RoomId): Promise<StoredPoll | undefined> {
    const row = this.#latest.get(roomId);
    return row && pollRecordOf(row);
  }

  async list(roomId: RoomId): Promise<StoredPoll[]> {
    return this.#list.all(roomId).map(pollRecordOf);
  }

  async end(pollId: string, at: number): Promise<boolean> {
    return this.#end.run(at, pollId).changes > 0;
  }

  async share(pollId: string): Promise<void> {
    this.#share.run(pollId);
  }

  async vote(pollId: string, vote: StoredVote, replace: boolean): Promise<VoteOutcome> {
    return this.#vote(pollId, vote, replace);
  }

  async votes(pollId: string): Promise<StoredVote[]> {
    return this.#votes.all(pollId).map(voteRecordOf);
  }
}
