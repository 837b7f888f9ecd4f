import { int } from './env.ts';
import type { Env } from './env.ts';

/** A room's size, when it moves between the mesh and the SFU, and what outlives a meeting. */
export interface RoomSettings {
  roomMaxPeers: number;
  /** Above this many admitted peers a room moves from the mesh to the SFU. */
  meshMaxPeers: number;
  /** How long a room must stay small before it moves back to the mesh (seconds). */
  sfuDowngradeHoldS: number;
  /** How long the SFU stays up after the move back, so clients can make before break. */
  sfuDowngradeGraceS: number;
  /**
   * Attendance and feedback (issue 21): ATTENDANCE_RETENTION_DAYS (default 90, at least 1),
   * how long after a meeting ends its attendance and ratings are kept.
   */
  attendance: { retentionDays: number };
  /**
   * Scheduled meetings (issue 21): REMINDER_LEAD_MIN (default 15, 1-1440), how long before each
   * occurrence its invitees are reminded.
   */
  schedule: { reminderLeadMin: number };
}

export function roomSizeConfig(
  env: Env,
): Pick<
  RoomSettings,
  'roomMaxPeers' | 'meshMaxPeers' | 'sfuDowngradeHoldS' | 'sfuDowngradeGraceS'
> {
  return {
    roomMaxPeers: int(env, 'ROOM_MAX_PEERS', 50, 2),
    meshMaxPeers: int(env, 'MESH_MAX_PEERS', 4, 1),
    sfuDowngradeHoldS: int(env, 'SFU_DOWNGRADE_HOLD_S', 30),
    sfuDowngradeGraceS: int(env, 'SFU_DOWNGRADE_GRACE_S', 20),
  };
}

export function meetingsConfig(env: Env): Pick<RoomSettings, 'attendance' | 'schedule'> {
  return {
    attendance: { retentionDays: int(env, 'ATTENDANCE_RETENTION_DAYS', 90, 1) },
    schedule: { reminderLeadMin: Math.min(1440, int(env, 'REMINDER_LEAD_MIN', 15, 1)) },
  };
}
