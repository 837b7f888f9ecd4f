import type { Storage } from '../types.ts';
import { SqlitePasswordResetStore } from './passwordResetStore.ts';
import { SqliteAttendanceStore } from './attendanceStore.ts';
import { SqlitePushSubscriptionStore } from './pushSubscriptionStore.ts';
import { SqliteBoardStore } from './boardStore.ts';
import { SqliteChatStore } from './chatStore.ts';
import { SqliteDoorStore } from './doorStore.ts';
import { openDatabase } from './db.ts';
import { SqliteIdentityStore } from './identityStore.ts';
import { SqlitePollStore } from './pollStore.ts';
import { SqliteRefreshTokenStore } from './refreshTokenStore.ts';
import { SqliteRoomStore } from './roomStore.ts';
import { SqliteNoticeStore, SqliteScheduleStore } from './scheduleStore.ts';
import { SqliteSlideStore } from './slideStore.ts';
import { SqliteRecordingStore } from './recordingStore.ts';
import { SqliteTeamStore } from './teamStore.ts';
import { SqliteUserStore } from './userStore.ts';

/** Opens (creating if needed) `<dataDir>/parley.db`, migrated, and returns the stores. */
export function openSqliteStorage(dataDir: string): Storage {
  const db = openDatabase(dataDir);
  return {
    engine: 'sqlite',
    chat: new SqliteChatStore(db),
    rooms: new SqliteRoomStore(db),
    doors: new SqliteDoorStore(db),
    users: new SqliteUserStore(db),
    refreshTokens: new SqliteRefreshTokenStore(db),
    identities: new SqliteIdentityStore(db),
    teams: new SqliteTeamStore(db),
    polls: new SqlitePollStore(db),
    boards: new SqliteBoardStore(db),
    slides: new SqliteSlideStore(db),
    recordings: new SqliteRecordingStore(db),
    attendance: new SqliteAttendanceStore(db),
    schedule: new SqliteScheduleStore(db),
    notices: new SqliteNoticeStore(db),
    passwordResets: new SqlitePasswordResetStore(db),
    pushSubscriptions: new SqlitePushSubscriptionStore(db),
    close: async () => {
      db.close();
    },
  };
}
