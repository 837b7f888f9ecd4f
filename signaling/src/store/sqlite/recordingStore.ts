import type { RoomId } from '@parley/protocol';
import type { RecordingChange, RecordingRecord, RecordingStore } from '../types.ts';
import { RECORDING_COLUMNS, changedColumns, recordingOf } from '../recordingRows.ts';
import type { RecordingRow } from '../recordingRows.ts';
import type { Db } from './db.ts';

const SELECT = `SELECT ${RECORDING_COLUMNS.map(([c, f]) => `${c} AS ${f}`).join(', ')} FROM recordings`;
const OPEN = `status IN ('recording', 'queued', 'processing')`;

/** Recordings in SQLite (the embedded default: one node, `node` is null). */
export class SqliteRecordingStore implements RecordingStore {
  readonly #insert;
  readonly #get;
  readonly #byRoom;
  readonly #unfinished;
  readonly #endedBefore;
  readonly #delete;

  constructor(private readonly db: Db) {
    const columns = RECORDING_COLUMNS.map(([c]) => c).join(', ');
    const values = RECORDING_COLUMNS.map(([, f]) => `@${f}`).join(', ');
    this.#insert = db.prepare(`INSERT INTO recordings (${columns}) VALUES (${values})`);
    this.#get = db.prepare<[string], RecordingRow>(`${SELECT} WHERE id = ?`);
    this.#byRoom = db.prepare<[string, number], RecordingRow>(
      `${SELECT} WHERE room_id = ? ORDER BY started_at DESC, id LIMIT ?`,
    );
    this.#unfinished = db.prepare<[string | null], RecordingRow>(
      `${SELECT} WHERE node IS ? AND ${OPEN} ORDER BY started_at, id`,
    );
    this.#endedBefore = db.prepare<[string | null, number, number], RecordingRow>(
      `${SELECT} WHERE node IS ? AND NOT ${OPEN} AND ended_at < ? ORDER BY ended_at, id LIMIT ?`,
    );
    this.#delete = db.prepare<[string]>('DELETE FROM recordings WHERE id = ?');
  }

  async create(recording: RecordingRecord): Promise<void> {
    this.#insert.run(recording);
  }

  async get(id: string): Promise<RecordingRecord | undefined> {
    const row = this.#get.get(id);
    return row && recordingOf(row);
  }

  async listByRoom(roomId: RoomId, limit = 100): Promise<RecordingRecord[]> {
    return this.#byRoom.all(roomId, limit).map(recordingOf);
  }

  async update(id: string, change: RecordingChange): Promise<boolean> {
    const set = changedColumns(change);
    if (set.length === 0) return (await this.get(id)) !== undefined;
    const sql = `UPDATE recordings SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`;
    return this.db.prepare(sql).run(...set.map(([, v]) => v), id).changes > 0;
  }

  async unfinished(node: string | null): Promise<RecordingRecord[]> {
    return this.#unfinished.all(node).map(recordingOf);
  }

  async endedBefore(node: string | null, at: number, limit = 100): Promise<RecordingRecord[]> {
    return this.#endedBefore.all(node, at, limit).map(recordingOf);
  }

  async delete(id: string): Promise<boolean> {
    return this.#delete.run(id).changes > 0;
  }
}
