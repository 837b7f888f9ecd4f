import type { Role } from '@parley/protocol';
import type { Peer } from './peer.ts';

/*
 * One seat per browser (issue 19). A browser is known by the guest id the server issued it (its
 * cookie): joining again while it sits in the meeting (a reload, another tab) takes over that
 * seat, and coming back soon after it left (a reload sends `leave`) skips the waiting room and
 * the lock. Either way it keeps the higher of its roles. Room asks these rules in `enter`.
 */

/** Browsers remembered as having left lately (a meeting's churn stays far below it). */
const LEFT_LATELY_MAX = 1_000;
const ROLE_RANK: Record<Role, number> = { guest: 0, cohost: 1, host: 2 };

/** What these rules read of a peer; `role` they may raise. */
type Seated = Pick<Peer, 'identity' | 'role'>;

export function higherRole(a: Role, b: Role): Role {
  return ROLE_RANK[b] > ROLE_RANK[a] ? b : a;
}

/** An admitted peer from the same browser as `peer` (its guest cookie): the server issued it. */
export function sameBrowser<P extends Seated>(peer: Seated, admitted: Iterable<P>): P | undefined {
  const { guestId } = peer.identity;
  if (guestId === undefined) return undefined;
  for (const other of admitted) if (other.identity.guestId === guestId) return other;
  return undefined;
}

/** The browsers that left a meeting lately, to let them back in (see `backSoon`). */
export class LeftLately {
  /** Guest ids in the order they left, with their role then. */
  readonly #left = new Map<string, { at: number; role: Role }>();

  /** `rejoinWindowMs`: how long a browser that left may come back this way (0: never). */
  constructor(
    private readonly rejoinWindowMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether this browser left the meeting within `rejoinWindowMs` (the resume window); if so
   * the joiner gets back the role it had then, when higher, and the mark is used up.
   */
  backSoon(peer: Seated): boolean {
    const { guestId } = peer.identity;
    const left = guestId === undefined ? undefined : this.#left.get(guestId);
    if (!left || guestId === undefined) return false;
    this.#left.delete(guestId);
    if (this.now() - left.at > this.rejoinWindowMs) return false;
    peer.role = higherRole(peer.role, left.role);
    return true;
  }

  /** Remembers a browser that left (see `backSoon`); the oldest go first beyond a bound. */
  noteLeft(peer: Seated): void {
    const { guestId } = peer.identity;
    if (guestId === undefined || !this.rejoinWindowMs) return;
    this.#left.delete(guestId);
    this.#left.set(guestId, { at: this.now(), role: peer.role });
    for (const [key, left] of this.#left) {
      const stale = this.now() - left.at > this.rejoinWindowMs;
      if (!stale && this.#left.size <= LEFT_LATELY_MAX) break;
      this.#left.delete(key);
    }
  }
}
