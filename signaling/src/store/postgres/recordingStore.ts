import type { RoomId } from '@parley/protocol';
import type { RecordingChange, RecordingRecord, RecordingStore } from '../types.ts';
import { RECORDING_COLUMNS, changedColumns, recordingOf } from '../recordingRows.ts';
import type { RecordingRow } from '../recordingRows.ts';
import type { PgPool } from './pool.ts';

const SELECT = `SELECT ${RECORDING_COLUMNS.map(([c, f]) => `${c} AS "${f}"`).join(', ')} FROM recordings`;
const OPEN = `status IN ('recording', 'queued', 'processing')`;

/** Recordings in PostgreSQL: every node lists them; each composes and serves its own. */
export class PgRecordingStore implements RecordingStore {
  constructor(private readonly pool: PgPool) {}

  async create(recording: RecordingRecord): Promise<void> {
    const columns = RECORDING_COLUMNS.map(([c]) => c).join(', ');
    const params = RECORDING_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    await this.pool.query(
      `INSERT INTO recordings (${columns}) VALUES (${params})`,
      RECORDING_COLUMNS.map(([, f]) => recording[f]),
    );
  }

  async get(id: string): Promise<RecordingRecord | undefined> {
    const [row] = await this.pool.query<RecordingRow>(`${SELECT} WHERE id = $1`, [id]);
    return row && recordingOf(row);
  }

  async listByRoom(roomId: RoomId, limit = 100): Promise<RecordingRecord[]> {
    const rows = await this.pool.query<RecordingRow>(
      `${SELECT} WHERE room_id = $1 ORDER BY started_at DESC, id LIMIT $2`,
      [roomId, limit],
    );
    return rows.map(recordingOf);
  }

  async update(id: string, change: RecordingChange): Promise<boolean> {
    const set = changedColumns(change);
    if (set.length === 0) return (await this.get(id)) !== undefined;
    const assignments = set.map(([c], i) => `${c} = $${i + 2}`).join(', ');
    const rows = await this.pool.query<{ id: string }>(
      `UPDATE recordings SET ${assignments} WHERE id = $1 RETURNING id`,
      [id, ...set.map(([, v]) => v)],
    );
    return rows.length > 0;
  }

  async unfinished(node: string | null): Promise<RecordingRecord[]> {
    const rows = await this.pool.query<RecordingRow>(
      `${SELECT} WHERE node IS NOT DISTINCT FROM $1 AND ${OPEN} ORDER BY started_at, id`,
      [node],
    );
    return rows.map(recordingOf);
  }

  async endedBefore(node: string | null, at: number, limit = 100): Promise<RecordingRecord[]> {
    const rows = await this.pool.query<RecordingRow>(
      `${SELECT} WHERE node IS NOT DISTINCT FROM $1 AND NOT ${OPEN} AND ended_at < $2
       ORDER BY ended_at, id LIMIT $3`,
      [node, at, limit],
    );
    return rows.map(recordingOf);
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.pool.query<{ id: string }>(
      'DELETE FROM recordings WHERE id = $1 RETURNING id',
      [id],
    );
    return rows.length > 0;
  }
}
