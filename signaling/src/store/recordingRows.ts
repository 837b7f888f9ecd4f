import { RecordingLayoutSchema, RecordingStatusSchema } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import type { RecordingChange, RecordingRecord } from './types.ts';

/** The columns both engines select, named as the record's fields. */
export const RECORDING_COLUMNS = [
  ['id', 'id'],
  ['room_id', 'roomId'],
  ['title', 'title'],
  ['node', 'node'],
  ['started_at', 'startedAt'],
  ['ended_at', 'endedAt'],
  ['status', 'status'],
  ['progress', 'progress'],
  ['duration_ms', 'durationMs'],
  ['bytes', 'bytes'],
  ['audio_bytes', 'audioBytes'],
  ['layout', 'layout'],
  ['gap_ms', 'gapMs'],
  ['error', 'error'],
] as const;

/** The columns a `RecordingChange` may set, by field. */
export const RECORDING_CHANGE_COLUMNS: Readonly<Record<keyof RecordingChange, string>> = {
  endedAt: 'ended_at',
  status: 'status',
  progress: 'progress',
  durationMs: 'duration_ms',
  bytes: 'bytes',
  audioBytes: 'audio_bytes',
  gapMs: 'gap_ms',
  error: 'error',
};

/** A row as either driver returns it (the SELECT aliases the columns to these names). */
export type RecordingRow = Record<(typeof RECORDING_COLUMNS)[number][1], unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/** A stored row as a record; an unknown status or layout (a later version's) reads safely. */
export function recordingOf(row: RecordingRow): RecordingRecord {
  const status = RecordingStatusSchema.safeParse(row.status);
  const layout = RecordingLayoutSchema.safeParse(row.layout);
  return {
    id: String(row.id),
    roomId: String(row.roomId) as RoomId,
    title: String(row.title),
    node: row.node === null || row.node === undefined ? null : String(row.node),
    startedAt: num(row.startedAt),
    endedAt: numOrNull(row.endedAt),
    status: status.success ? status.data : 'failed',
    progress: num(row.progress),
    durationMs: numOrNull(row.durationMs),
    bytes: numOrNull(row.bytes),
    audioBytes: numOrNull(row.audioBytes),
    layout: layout.success ? layout.data : 'speaker',
    gapMs: num(row.gapMs),
    error: row.error === null || row.error === undefined ? null : String(row.error),
  };
}

/** The fields of `change` that are set, as [column, value] pairs in a fixed order. */
export function changedColumns(change: RecordingChange): [string, unknown][] {
  return (Object.keys(RECORDING_CHANGE_COLUMNS) as (keyof RecordingChange)[])
    .filter((key) => change[key] !== undefined)
    .map((key) => [RECORDING_CHANGE_COLUMNS[key], change[key]]);
}
