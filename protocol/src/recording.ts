import { z } from 'zod';
import { RequestIdSchema } from './ids.ts';

/**
 * Recording (issue 18). A host presses Record: the room is held on the SFU, the server writes
 * every track as it arrives (no re-encoding), and everyone in the call, in the waiting room,
 * on the pre-join screen and watching the broadcast is told. After the meeting a background
 * job composes one MP4 (and an audio-only M4A) that the room's hosts list and download over
 * HTTP (`/api/rooms/<id>/recordings`, `/api/recordings/...`).
 */

const rid = { rid: RequestIdSchema.optional() };

/** A recording's id, minted by the server. */
export const RecordingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,32}$/);

/** How the composite shows people: the speaker on a stage above a strip, or a grid. */
export const RecordingLayoutSchema = z.enum(['speaker', 'grid']);
export type RecordingLayout = z.infer<typeof RecordingLayoutSchema>;

/** Why a recording ended on its own. */
export const RecordingEndSchema = z.enum(['stopped', 'ended', 'disk-full', 'failed']);
export type RecordingEnd = z.infer<typeof RecordingEndSchema>;

// ---------- client -> server ----------

/**
 * Start (`on: true`) or stop recording. Hosts always; co-hosts when the room's `cohostsRecord`
 * setting is on (FORBIDDEN otherwise). UNAVAILABLE where the server cannot record (no SFU,
 * `RECORDING=off`, or free disk below its threshold); LIMIT_REACHED when the node's media jobs
 * are spent. Answered with `recording-state`.
 */
export const RecordSchema = z.strictObject({
  type: z.literal('record'),
  ...rid,
  on: z.boolean(),
});

export const RECORDING_CLIENT_SCHEMAS = [RecordSchema] as const;

// ---------- server -> client ----------

/** To everyone when recording starts or stops (the sender's copy answers its `record`). */
export const RecordingStateSchema = z.strictObject({
  type: z.literal('recording-state'),
  rid: RequestIdSchema.optional(),
  recording: z.boolean(),
  /** While recording: when it began (ms since the epoch). */
  startedAt: z.number().optional(),
  /** When it stopped: why. */
  ended: RecordingEndSchema.optional(),
});

export const RECORDING_SERVER_SCHEMAS = [RecordingStateSchema] as const;

// ---------- HTTP ----------

/** Where a recording is: being recorded, waiting for or in composition, ready, or failed. */
export const RecordingStatusSchema = z.enum([
  'recording',
  'queued',
  'processing',
  'ready',
  'failed',
]);
export type RecordingStatus = z.infer<typeof RecordingStatusSchema>;

/** One recording as its room's hosts see it (`GET /api/rooms/<id>/recordings`). */
export interface RecordingInfo {
  id: string;
  roomId: string;
  title: string;
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number | null;
  status: RecordingStatus;
  /** 0..1 while `processing`. */
  progress: number;
  durationMs: number | null;
  /** The MP4's size (null until ready). */
  bytes: number | null;
  /** The audio-only M4A's size (null until ready). */
  audioBytes: number | null;
  layout: RecordingLayout;
  /** Holes where a track's recorder died and restarted, in ms (0: none). */
  gapMs: number;
  /** Why it failed. */
  error: string | null;
}

/** `POST /api/recordings/<id>/links` answers this: signed download links, valid until `expiresAt`. */
export interface RecordingLinks {
  mp4: string;
  m4a: string;
  expiresAt: number;
}
