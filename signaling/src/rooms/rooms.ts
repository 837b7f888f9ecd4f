import { ERROR_CODES } from '@parley/protocol';
import type { OwnedRoom, RoomId, RoomSettings, RoomStatus } from '@parley/protocol';
import { hashSecret, newHostKey, newRoomId, secretMatches } from '../util/ids.ts';
import type { Log } from '../telemetry/log.ts';
import { AttemptLimiter } from '../util/attemptLimiter.ts';
import { PasswordTries } from './passwordTries.ts';
import type { RoomPasswordTries } from './passwordTries.ts';
import { ProtocolError, roomNotFound } from '../util/errors.ts';
import { LimitError } from '../util/limits.ts';
import type { OnLimit } from '../util/limits.ts';
import { verifyPassword } from './passwords.ts';
import { Room } from './room.ts';
import { Viewers } from './viewers.ts';
import type { Entered, RoomOptions } from './room.ts';
import type { Peer } from './peer.ts';
import { defaultSettings } from '../store/index.ts';
import { defaultTeamSettings } from '../store/index.ts';
import type {
  ChatStore,
  DoorStore,
  PollStore,
  BoardStore,
  RoomStore,
  StoredSettings,
  TeamSettings,
  TeamStore,
} from '../store/index.ts';
import { background } from '../util/background.ts';
import { Door } from './door.ts';
import { changeSettings } from './moderation.ts';
import { loadPolls } from '../classroom/polls.ts';
import type { Attendance } from '../attendance/attendance.ts';

export interface RoomsOptions {
  roomStore: RoomStore;
  chatStore: ChatStore;
  /** Each meeting's bans, co-hosts and seats, loaded when its Room opens. */
  doorStore: DoorStore;
  /** Walkie-talkie teams (a team is a room with a team row); absent: no teams here. */
  teamStore?: TeamStore;
  /** Each room's polls (issue 17), its current one loaded when its Room opens; absent: none. */
  pollStore?: PollStore;
  /** The rooms' whiteboards (issue 17); absent: no whiteboard. */
  boardStore?: BoardStore;
  /** Each meeting's attendance (issue 21); absent: not recorded. */
  attendance?: Attendance;
  maxPeers: number;
  media: RoomOptions['media'];
  log: Log;
  /**
   * Cluster mode: may this node serve the room? (It claims the room when nobody holds it.)
   * False refuses the join with ROOM_MOVED. Absent: one node serves every room.
   */
  place?: (id: RoomId) => Promise<boolean>;
  /** After a room closed here (cluster mode: its claim is released). */
  onClosed?: (id: RoomId) => void;
  /** Rooms one client address may create per hour (ROOM_CREATIONS_PER_HOUR); default 30. */
  creationsPerHour?: number;
  /** Room-password attempts (ROOM_PASSWORD_TRIES*); default 10 / 30 / 100 per 5 minutes. */
  passwordTries?: RoomPasswordTries;
  /** How many may wait in one room, and from one address (WAITING_ROOM_MAX, ...PER_ADDRESS). */
  waiting?: { max: number; perAddress: number };
  /** Told when a limit refuses a join (the metric). */
  onLimit?: OnLimit;
  /** How long a meeting left without a host waits before one is made (HOST_GRACE_MS). */
  hostGraceMs?: number;
  /** How long a browser that left comes back without the waiting room (RESUME_WINDOW_S). */
  rejoinWindowMs?: number;
}

/** One way into a room, run in its queue: who got in and where, or undefined: not this way. */
export type Attempt = (
  room: Room,
) => Promise<{ peer: Peer; entered: Entered } | undefined> | undefined;

export interface NewRoom {
  ownerId?: string;
  title?: string;
  settings?: Partial<StoredSettings>;
  passwordHash?: string;
}

/**
 * The rooms this process serves: every room ever created is in the store; a `Room` object
 * exists only while someone is in it (or joining it).
 */
export class Rooms {
  readonly #live = new Map<RoomId, Room>();
  /** Rooms being opened (their record is being read): one Room per id, however many ask. */
  readonly #opening = new Map<RoomId, Promise<Room | undefined>>();
  readonly viewers = new Viewers();
  readonly #tries: PasswordTries;
  readonly #creations: AttemptLimiter;

  constructor(private readonly options: RoomsOptions) {
    this.#tries = new PasswordTries(options.passwordTries);
    const limit = options.creationsPerHour ?? 30;
    this.#creations = new AttemptLimiter({ limit, windowMs: 60 * 60_000 });
  }

  /**
   * Counts one room creation by `client` (its address), before any work is done for it (the
   * password's argon2 hash, the database row). Throws RATE_LIMITED beyond the hourly limit.
   */
  countCreation(client: string): void {
    const wait = this.#creations.take(client);
    if (wait === 0) return;
    this.options.onLimit?.('room_creations');
    throw new LimitError(
      'room_creations',
      `too many new rooms from your address: wait ${wait} s`,
      wait,
    );
  }

  /**
   * A new room, with the safe defaults unless the creator chose otherwise. `ownerId` makes a
   * signed-in creator its host; `passwordHash` is the argon2id hash of a room password.
   */
  async create(options: NewRoom = {}): Promise<{ id: RoomId; hostKey: string }> {
    const id = newRoomId();
    const hostKey = newHostKey();
    await this.options.roomStore.create({
      id,
      hostKeyHash: hashSecret(hostKey),
      createdAt: Date.now(),
      ownerId: options.ownerId ?? null,
      title: options.title ?? null,
      settings: { ...defaultSettings(), ...options.settings },
      passwordHash: options.passwordHash ?? null,
    });
    return { id, hostKey };
  }

  /**
   * A new walkie-talkie team: a room (its host key makes the creator its admin) with a team
   * row and one channel, "General". `requireApproval` is the room's waiting room.
   */
  async createTeam(options: {
    name: string;
    ownerId?: string;
    settings?: Partial<TeamSettings>;
  }): Promise<{ id: RoomId; hostKey: string }> {
    const teams = this.options.teamStore;
    if (!teams) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'this server has no teams');
    const settings = { ...defaultTeamSettings(), ...options.settings };
    const created = await this.create({
      ownerId: options.ownerId,
      title: options.name,
      settings: { waitingRoom: settings.requireApproval },
    });
    const team = { id: created.id, name: options.name, settings, createdAt: Date.now() };
    await teams.create(team, 'General');
    return created;
  }

  /** A team's public face (`GET /api/teams/<id>`): its name; undefined for a room or nothing. */
  async teamName(id: RoomId): Promise<string | undefined> {
    return (await this.options.teamStore?.get(id))?.name;
  }

  /** A signed-in user's rooms, newest first. */
  async ownedBy(userId: string): Promise<OwnedRoom[]> {
    return (await this.options.roomStore.listByOwner(userId)).map(({ id, title, createdAt }) => ({
      id,
      title,
      createdAt,
    }));
  }

  /** True for a room that needs a password: its status and broadcast are not public. */
  async isPrivate(id: RoomId): Promise<boolean> {
    const live = this.#live.get(id);
    if (live) return live.settings.hasPassword;
    return (await this.options.roomStore.get(id))?.passwordHash != null;
  }

  /** The room's settings as they stand: the live room's when it is open here. */
  async settingsOf(id: RoomId): Promise<RoomSettings | undefined> {
    const live = this.#live.get(id);
    if (live) return live.settings;
    const record = await this.options.roomStore.get(id);
    return record && { ...record.settings, hasPassword: record.passwordHash !== null };
  }

  /**
   * The owner's settings change from outside any meeting (a scheduled meeting's edit form;
   * `passwordHash`: undefined keeps the password, null removes it). A room open here takes it
   * in its queue like a host's change, so the people in it see it at once and those waiting
   * are let in when the waiting room goes off; any other room stores it for its next opening.
   * (In a cluster, a meeting running on another node keeps the settings it opened with.)
   */
  async changeSettings(
    id: RoomId,
    change: Partial<StoredSettings>,
    passwordHash: string | null | undefined,
  ): Promise<void> {
    const room = this.#live.get(id) ?? (await this.#opening.get(id));
    if (room) {
      const applied = await room.queue.run(async () => {
        if (room.closed) return false;
        await changeSettings(room, change, passwordHash, null);
        return true;
      });
      if (applied) return;
    }
    const record = await this.options.roomStore.get(id);
    if (!record) throw roomNotFound();
    const hash = passwordHash === undefined ? record.passwordHash : passwordHash;
    await this.options.roomStore.saveSettings(id, { ...record.settings, ...change }, hash);
  }

  async exists(id: RoomId): Promise<boolean> {
    return this.#live.has(id) || (await this.options.roomStore.get(id)) !== undefined;
  }

  /**
   * The door for a `join`: the live room, once the password (if the room has one) is right.
   * An unknown room and a missing or wrong password get the same ROOM_NOT_FOUND, after the same
   * argon2 work when a password was given, so neither the answer nor its timing tells that a
   * room exists. Attempts are counted before the check (see PasswordTries; `client`: the
   * address). A host (host key or owning account) needs no password, and is never locked out
   * of their own room by someone guessing its password.
   */
  async door(
    id: RoomId,
    proof: { password?: string | undefined; host?: boolean },
    client: string,
  ): Promise<Room> {
    const { password } = proof;
    const record = await this.options.roomStore.get(id);
    if (!record || (record.passwordHash !== null && !proof.host)) {
      if (password === undefined) throw roomNotFound();
      // Counted synchronously with the check: parallel sockets cannot each get a free try.
      const exists = record !== undefined;
      const wait = this.#tries.take(id, client, exists);
      if (wait > 0) {
        this.options.onLimit?.('room_password_attempts');
        throw new LimitError(
          'room_password_attempts',
          `too many wrong passwords: wait ${wait} s`,
          wait,
        );
      }
      // A hash queue that is full (HASH_QUEUE_MAX) checked nothing: that try is given back.
      const right = await verifyPassword(record?.passwordHash, password).catch((error: unknown) => {
        this.#tries.forgive(id, client, exists);
        throw error;
      });
      if (!right) throw roomNotFound();
      this.#tries.forgive(id, client, exists);
    }
    const room = await this.open(id);
    if (!room) throw roomNotFound();
    return room;
  }

  /** The live Room for a stored id, created on first use; undefined for an unknown id. */
  async open(id: RoomId): Promise<Room | undefined> {
    const live = this.#live.get(id);
    if (live) return live;
    let opening = this.#opening.get(id);
    if (!opening) {
      opening = this.#load(id).finally(() => this.#opening.delete(id));
      this.#opening.set(id, opening);
    }
    return opening;
  }

  async #load(id: RoomId): Promise<Room | undefined> {
    const record = await this.options.roomStore.get(id);
    if (!record) return undefined;
    if (this.options.place && !(await this.options.place(id))) {
      throw new ProtocolError(ERROR_CODES.ROOM_MOVED, 'another node serves this room: reconnect');
    }
    // The meeting may have run on another node (or before a restart): it goes on as it was.
    const door = await Door.load(id, this.options.doorStore);
    const team = await this.#team(id);
    const polls = this.options.pollStore && (await loadPolls(id, this.options.pollStore));
    const live = this.#live.get(id);
    if (live) return live;
    const room = new Room(id, {
      maxPeers: this.options.maxPeers,
      ...(this.options.hostGraceMs === undefined ? {} : { hostGraceMs: this.options.hostGraceMs }),
      ...(this.options.rejoinWindowMs ? { rejoinWindowMs: this.options.rejoinWindowMs } : {}),
      chat: this.options.chatStore,
      door,
      onClose: (r) => this.#forget(r),
      title: record.title,
      settings: record.settings,
      passwordHash: record.passwordHash,
      save: (settings, passwordHash) =>
        this.options.roomStore.saveSettings(id, settings, passwordHash),
      media: this.options.media,
      log: this.options.log,
      ...(this.options.waiting
        ? { waiting: { ...this.options.waiting, onLimit: this.options.onLimit } }
        : {}),
      ...(team ? { team } : {}),
      ...(polls ? { polls } : {}),
      ...(this.options.boardStore ? { boards: this.options.boardStore } : {}),
      ...(this.options.attendance ? { attendance: this.options.attendance.forRoom(id) } : {}),
    });
    this.#live.set(id, room);
    return room;
  }

  /** The team behind a room id, with its channels; undefined for a plain room. */
  async #team(id: RoomId): Promise<RoomOptions['team']> {
    const store = this.options.teamStore;
    const record = await store?.get(id);
    if (!store || !record) return undefined;
    return { record, channels: await store.channels(id), store };
  }

  /**
   * Runs a join's `attempt` in the room's queue, opening the room afresh when a last leave
   * closed it meanwhile. Undefined when nobody got in: the attempt did not apply, or the
   * joiner is `gone()` (its socket closed) by its turn; the room is then released if empty.
   */
  async enter(
    id: RoomId,
    attempt: Attempt,
    gone: () => boolean,
  ): Promise<{ room: Room; peer: Peer; entered: Entered } | undefined> {
    for (;;) {
      const room = await this.open(id);
      if (!room) throw roomNotFound();
      const entry = await room.queue.run(async () => {
        if (room.closed) return 'retry' as const;
        let got: Awaited<ReturnType<Attempt>>;
        try {
          got = gone() ? undefined : await attempt(room);
        } finally {
          if (!got) this.releaseIfEmpty(room);
        }
        return got && { room, ...got };
      });
      if (entry !== 'retry') return entry;
    }
  }

  async isHostKey(id: RoomId, hostKey: string | undefined): Promise<boolean> {
    if (hostKey === undefined) return false;
    const record = await this.options.roomStore.get(id);
    return (
      record !== undefined && hostKey !== undefined && secretMatches(hostKey, record.hostKeyHash)
    );
  }

  /** True when `userId` created the room while signed in: they are its host. */
  async isOwner(id: RoomId, userId: string | undefined): Promise<boolean> {
    return userId !== undefined && (await this.options.roomStore.get(id))?.ownerId === userId;
  }

  async status(id: RoomId): Promise<RoomStatus | undefined> {
    const live = this.#live.get(id);
    const viewers = this.viewers.count(id);
    if (live) return live.status(viewers);
    const record = await this.options.roomStore.get(id);
    if (!record) return undefined;
    const { title } = record;
    return { id, mode: 'mesh', admitted: 0, live: false, recording: false, viewers, title };
  }

  /** The live Room object for an id, if anyone is in it. */
  get(id: RoomId): Room | undefined {
    return this.#live.get(id);
  }

  /** Rooms with someone in them (or joining). */
  live(): IterableIterator<Room> {
    return this.#live.values();
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /**
   * For a join or resume that ended without anyone in the room: do not keep an empty room
   * alive. Runs in the room's queue, after whatever is already in it (a join that is about to
   * fill the room keeps it open).
   */
  releaseIfEmpty(room: Room): void {
    const release = () => {
      if (room.empty) room.close();
    };
    background(room.queue.run(release), 'room release', room.log);
  }

  /**
   * Cluster mode: the room goes on on another node (this one drains, or lost its claim).
   * Its sockets close with MOVED; the clients reconnect and join it there.
   */
  async moveAway(id: RoomId): Promise<void> {
    const room = this.#live.get(id);
    await room?.queue.run(() => room.close('moved'));
  }

  /** The room's close handler: a closed room is never served again. */
  #forget(room: Room): void {
    if (this.#live.get(room.id) !== room) return;
    this.#live.delete(room.id);
    this.options.onClosed?.(room.id);
  }
}
