import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { RecordingLayoutSchema } from './recording.ts';

/** A room's settings as everyone sees them. Persisted with the room; hosts change them. */
export const RoomSettingsSchema = z.strictObject({
  /** Guests wait until a host or co-host admits them (on by default). */
  waitingRoom: z.boolean(),
  /** Nobody new gets in, not even into the waiting room (hosts still can). */
  locked: z.boolean(),
  /** Guests may share their screen. */
  screenShare: z.boolean(),
  /** Guests may send chat messages. */
  chat: z.boolean(),
  /**
   * Guests may turn their microphone or camera back on after a host turned it off (on by
   * default). Off: only once a host or co-host allows it (`allow-unmute`). Hosts and co-hosts
   * always may.
   */
  selfUnmute: z.boolean(),
  /** Guests may draw on the whiteboard (on by default); hosts and co-hosts always may. */
  draw: z.boolean(),
  /** Co-hosts may start and stop recording (off by default: recording is the host's). */
  cohostsRecord: z.boolean(),
  /** How the recording's video shows people: the speaker on a stage (default), or a grid. */
  recordingLayout: RecordingLayoutSchema,
  /** Joining needs the room password (the password itself is never sent back). */
  hasPassword: z.boolean(),
});
export type RoomSettings = z.infer<typeof RoomSettingsSchema>;
export const DEFAULT_ROOM_SETTINGS: RoomSettings = {
  waitingRoom: true,
  locked: false,
  screenShare: true,
  chat: true,
  selfUnmute: true,
  draw: true,
  cohostsRecord: false,
  recordingLayout: 'speaker',
  hasPassword: false,
};
/** What a host may change; every field optional (only what changes). */
export const RoomSettingsChangeSchema = z.strictObject({
  waitingRoom: z.boolean().optional(),
  locked: z.boolean().optional(),
  screenShare: z.boolean().optional(),
  chat: z.boolean().optional(),
  selfUnmute: z.boolean().optional(),
  draw: z.boolean().optional(),
  cohostsRecord: z.boolean().optional(),
  recordingLayout: RecordingLayoutSchema.optional(),
  /** A new password, or null to remove it. */
  password: z
    .string()
    .min(LIMITS.ROOM_PASSWORD_MIN)
    .max(LIMITS.ROOM_PASSWORD_MAX)
    .nullable()
    .optional(),
});
export type RoomSettingsChange = z.infer<typeof RoomSettingsChangeSchema>;
