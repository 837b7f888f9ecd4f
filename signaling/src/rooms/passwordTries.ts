import type { RoomId } from '@parley/protocol';
import { AttemptLimiter } from '../util/attemptLimiter.ts';

/** Room-password attempts per window (ROOM_PASSWORD_TRIES, ..._PER_ADDRESS, ..._PER_ROOM). */
export interface RoomPasswordTries {
  perRoomAddress: number;
  perAddress: number;
  perRoom: number;
  windowMs: number;
}

const DEFAULT_TRIES: RoomPasswordTries = {
  perRoomAddress: 10,
  perAddress: 30,
  perRoom: 100,
  windowMs: 5 * 60_000,
};

/**
 * Room-password attempts, counted before the argon2 check. Per room and address: one client's
 * guesses lock out only that client. Per address: spraying many rooms. Per room: many
 * addresses at one room; it never refuses an address's first try at the room, so while a room
 * is under attack a guest who types the right password still gets in, and each attacking
 * address gets one guess per window. Rooms that exist and ids that do not are counted apart:
 * a flood of made-up ids cannot push a real room's counter out (and both answer alike).
 */
export class PasswordTries {
  readonly #roomAddress;
  readonly #address;
  readonly #room;
  readonly #unknownRoom;

  constructor(tries: RoomPasswordTries = DEFAULT_TRIES) {
    const { windowMs } = tries;
    const maxKeys = 100_000;
    this.#roomAddress = new AttemptLimiter({ limit: tries.perRoomAddress, windowMs, maxKeys });
    this.#address = new AttemptLimiter({ limit: tries.perAddress, windowMs, maxKeys });
    this.#room = new AttemptLimiter({ limit: tries.perRoom, windowMs, maxKeys });
    this.#unknownRoom = new AttemptLimiter({ limit: tries.perRoom, windowMs });
  }

  /** Counts one attempt everywhere it applies; the seconds to wait when any refuses (none counted). */
  take(id: RoomId, client: string, exists: boolean): number {
    const pair = `${id} ${client}`;
    const room = exists ? this.#room : this.#unknownRoom;
    // An address's first try at a room is never refused for the room's sake (see above).
    const roomWait = this.#roomAddress.count(pair) === 0 ? 0 : room.retryAfterS(id);
    const wait = Math.max(
      this.#roomAddress.retryAfterS(pair),
      this.#address.retryAfterS(client),
      roomWait,
    );
    if (wait > 0) return wait;
    this.#roomAddress.record(pair);
    this.#address.record(client);
    room.record(id);
    return 0;
  }

  /** Takes back an attempt that turned out to be right (or was never checked). */
  forgive(id: RoomId, client: string, exists: boolean): void {
    this.#roomAddress.forgive(`${id} ${client}`);
    this.#address.forgive(client);
    (exists ? this.#room : this.#unknownRoom).forgive(id);
  }
}
