import { randomBytes } from 'node:crypto';
import { DEFAULT_ROOM_SETTINGS, RecordingLayoutSchema } from '@parley/protocol';
import type { StoredSettings } from './types.ts';

/** The safe defaults a new room gets (waiting room on). */
export function defaultSettings(): StoredSettings {
  const { waitingRoom, locked, screenShare, chat, selfUnmute, draw } = DEFAULT_ROOM_SETTINGS;
  const { cohostsRecord, recordingLayout } = DEFAULT_ROOM_SETTINGS;
  return {
    waitingRoom,
    locked,
    screenShare,
    chat,
    selfUnmute,
    draw,
    cohostsRecord,
    recordingLayout,
  };
}

/**
 * Stored settings (SQLite's JSON text or PostgreSQL's JSONB object) over the defaults, so a
 * setting added later gets its default on old rooms and a damaged value falls back safely.
 */
export function parseSettings(stored: unknown): StoredSettings {
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      value = {}; // a damaged row falls back to the safe defaults
    }
  }
  const fields =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const defaults = defaultSettings();
  const pick = (key: Exclude<keyof StoredSettings, 'recordingLayout'>): boolean =>
    typeof fields[key] === 'boolean' ? fields[key] : defaults[key];
  const layout = RecordingLayoutSchema.safeParse(fields.recordingLayout);
  return {
    waitingRoom: pick('waitingRoom'),
    locked: pick('locked'),
    screenShare: pick('screenShare'),
    chat: pick('chat'),
    selfUnmute: pick('selfUnmute'),
    draw: pick('draw'),
    cohostsRecord: pick('cohostsRecord'),
    recordingLayout: layout.success ? layout.data : defaults.recordingLayout,
  };
}

/** 16 random bytes as base64url: an opaque id that says nothing about sign-up order. */
export function newUserId(): string {
  return randomBytes(16).toString('base64url');
}
