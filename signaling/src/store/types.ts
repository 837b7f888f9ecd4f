import type {
  IdentityStore,
  PasswordResetStore,
  RefreshTokenStore,
  UserStore,
} from './accountTypes.ts';
import type { AttendanceStore } from './attendanceTypes.ts';
import type { ChatStore } from './chatTypes.ts';
import type { BoardStore, PollStore, SlideStore } from './classroomTypes.ts';
import type { RecordingStore } from './recordingTypes.ts';
import type { DoorStore, RoomStore } from './roomStoreTypes.ts';
import type { NoticeStore, PushSubscriptionStore, ScheduleStore } from './scheduleTypes.ts';
import type { TeamStore } from './teamTypes.ts';

export type * from './accountTypes.ts';
export type * from './attendanceTypes.ts';
export type * from './chatTypes.ts';
export type * from './classroomTypes.ts';
export type * from './recordingTypes.ts';
export type * from './roomStoreTypes.ts';
export type * from './scheduleTypes.ts';
export type * from './teamTypes.ts';

/**
 * The storage interfaces: what the rooms, chat, accounts and teams ask of durable state. Each has
 * two engines, SQLite (`sqlite/`, the embedded default) and PostgreSQL (`postgres/`, the
 * cluster mode); `contract.test.ts` runs one suite against both. Every method is async,
 * because a PostgreSQL round trip is; the SQLite engine answers from a synchronous driver.
 * The interfaces live by subject in the `*Types.ts` files beside this one; importers take them
 * from here (or `index.ts`), so a new subject's file changes no import.
 */

/** Every store of one engine, and how to let it go. */
export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly chat: ChatStore;
  readonly rooms: RoomStore;
  readonly doors: DoorStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly identities: IdentityStore;
  readonly teams: TeamStore;
  readonly polls: PollStore;
  readonly boards: BoardStore;
  readonly slides: SlideStore;
  readonly recordings: RecordingStore;
  readonly attendance: AttendanceStore;
  readonly schedule: ScheduleStore;
  readonly notices: NoticeStore;
  readonly passwordResets: PasswordResetStore;
  readonly pushSubscriptions: PushSubscriptionStore;
  close(): Promise<void>;
}
