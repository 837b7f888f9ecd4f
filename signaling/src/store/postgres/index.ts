import type { Storage } from '../types.ts';
import { PgPasswordResetStore } from './passwordResetStore.ts';
import { PgAttendanceStore } from './attendanceStore.ts';
import { PgPushSubscriptionStore } from './pushSubscriptionStore.ts';
import { PgBoardStore } from './boardStore.ts';
import { PgChatStore } from './chatStore.ts';
import { PgDoorStore } from './doorStore.ts';
import { migrate } from './migrations.ts';
import { PgIdentityStore } from './identityStore.ts';
import { PgPollStore } from './pollStore.ts';
import { PgPool } from './pool.ts';
import { PgRefreshTokenStore } from './refreshTokenStore.ts';
import { PgRoomStore } from './roomStore.ts';
import { PgNoticeStore, PgScheduleStore } from './scheduleStore.ts';
import { PgSlideStore } from './slideStore.ts';
import { PgRecordingStore } from './recordingStore.ts';
import { PgTeamStore } from './teamStore.ts';
import { PgUserStore } from './userStore.ts';

/** Connects to `url` (postgres://...), brings the schema up to date, and returns the stores. */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = new PgPool(url);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.close();
    throw error;
  }
  return {
    engine: 'postgres',
    chat: new PgChatStore(pool),
    rooms: new PgRoomStore(pool),
    doors: new PgDoorStore(pool),
    users: new PgUserStore(pool),
    refreshTokens: new PgRefreshTokenStore(pool),
    identities: new PgIdentityStore(pool),
    teams: new PgTeamStore(pool),
    polls: new PgPollStore(pool),
    boards: new PgBoardStore(pool),
    slides: new PgSlideStore(pool),
    recordings: new PgRecordingStore(pool),
    attendance: new PgAttendanceStore(pool),
    schedule: new PgScheduleStore(pool),
    notices: new PgNoticeStore(pool),
    passwordResets: new PgPasswordResetStore(pool),
    pushSubscriptions: new PgPushSubscriptionStore(pool),
    close: () => pool.close(),
  };
}
