import type { RecordingInfo, RoomId } from '@parley/protocol';

// The storage interface of recordings (issue 18): the list entry and the composite's job.
// Part of types.ts's Storage, kept apart by subject.

/**
 * A recording (issue 18): one row is both the list entry and the composite's job. What its
 * hosts see (RecordingInfo), plus the node whose disk holds its files (cluster mode; null in
 * the embedded default).
 */
export interface RecordingRecord extends Omit<RecordingInfo, 'roomId'> {
  roomId: RoomId;
  node: string | null;
}

/** What a recording's life changes; the rest is fixed at its start. */
export type RecordingChange = Partial<
  Pick<
    RecordingRecord,
    'endedAt' | 'status' | 'progress' | 'durationMs' | 'bytes' | 'audioBytes' | 'gapMs' | 'error'
  >
>;

export interface RecordingStore {
  create(recording: RecordingRecord): Promise<void>;
  get(id: string): Promise<RecordingRecord | undefined>;
  /** The room's recordings, the newest first. */
  listByRoom(roomId: RoomId, limit?: number): Promise<RecordingRecord[]>;
  /** False when no such recording. */
  update(id: string, change: RecordingChange): Promise<boolean>;
  /**
   * The node's recordings not yet ready or failed (`recording`, `queued`, `processing`), the
   * oldest first: what a node starting up finalizes and composes.
   */
  unfinished(node: string | null): Promise<RecordingRecord[]>;
  /** The node's recordings that ended before `at` (retention), the oldest first. */
  endedBefore(node: string | null, at: number, limit?: number): Promise<RecordingRecord[]>;
  /** False when no such recording. */
  delete(id: string): Promise<boolean>;
}
