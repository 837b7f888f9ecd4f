/**
 * Floor control for a walkie-talkie team (issue #16): who may talk on which channel, now.
 *
 * A pure state machine: no timers, no sockets, no media. Time comes in as `now` (ms, from a
 * monotonic clock such as `performance.now()`), and every change returns the effects the
 * server must apply (pause or resume a producer, tell members), so the server can run it
 * inside the team's serial queue and apply the effects in order. Calls are serial, which is
 * what makes "two presses at the same moment, exactly one grant" hold.
 *
 * Rules where the issue is silent, chosen here:
 * - A member stands in at most one place: holding one floor (they have one microphone) or
 *   waiting in one queue. Asking for a second floor while holding one is refused
 *   (`already-talking`) rather than silently moving the microphone; asking for another
 *   channel while only queued leaves the old queue (`dequeued`, reason `moved`).
 * - A refusal changes nothing and carries no effects.
 * - A repeated request changes nothing and restates the member's standing (`granted` with
 *   the original `since`, or `queued` with the current position), so a client that lost the
 *   first answer gets it again.
 * - Pre-emption happens only on request: an admin takes a busy channel from a non-admin
 *   holder, who must ask again; the queue keeps its order. The admin flag is the one given
 *   with the request.
 * - Revoke targets a member, not a channel, so a revoke that races a hand-over cannot hit the
 *   next talker. It also takes a member out of a queue. Any admin may revoke anyone.
 * - Removing a channel promotes nobody: its holder and queue are all let go.
 */

/** Why a request, release or revoke was refused: the error codes the server sends. */
export const FLOOR_REFUSALS = [
  /** No such channel, or it was removed. */
  'unknown-channel',
  /** Someone holds the floor and the request neither queues nor pre-empts. */
  'busy',
  /** The member already holds the floor on another channel. */
  'already-talking',
  /** Release or revoke of a floor the member does not hold (nor waits for). */
  'not-holder',
  /** Revoke by a member who is not an admin. */
  'not-admin',
] as const;
export type FloorRefusal = (typeof FLOOR_REFUSALS)[number];

/** Why a floor ended. */
export type FloorEndReason =
  'released' | 'expired' | 'preempted' | 'revoked' | 'dropped' | 'channel-removed';

/** Why a member left a queue without being granted the floor. */
export type DequeueReason = 'left' | 'moved' | 'revoked' | 'dropped' | 'channel-removed';

export type FloorEvent<M extends string = string, C extends string = string> =
  /** `memberId` talks on `channelId` from `since` until `deadline` at the latest. */
  | { type: 'granted'; channelId: C; memberId: M; since: number; deadline: number }
  /** The floor `memberId` held since `since` is over; `by` is the admin who pre-empted. */
  | {
      type: 'ended';
      channelId: C;
      memberId: M;
      since: number;
      reason: FloorEndReason;
      by?: M;
    }
  /** `memberId` waits on `channelId` at `position` (1 is next); sent again when it moves up. */
  | { type: 'queued'; channelId: C; memberId: M; position: number }
  | { type: 'dequeued'; channelId: C; memberId: M; reason: DequeueReason };

export type FloorResult<M extends string = string, C extends string = string> =
  { ok: true; events: FloorEvent<M, C>[] } | { ok: false; reason: FloorRefusal };

export interface FloorHolder<M extends string = string, C extends string = string> {
  channelId: C;
  memberId: M;
  since: number;
  deadline: number;
}

export interface FloorOptions<C extends string = string> {
  /** The team's channels at start. Default none. */
  channels?: Iterable<C>;
  /** Longest a floor is held before it is released for the member. Default 60,000 ms. */
  maxTalkMs?: number;
  /** Whether a request on a busy channel waits in line instead of being refused. Default off. */
  queuing?: boolean;
}

interface Holder<M> {
  memberId: M;
  isAdmin: boolean;
  since: number;
  deadline: number;
}

interface Waiter<M> {
  memberId: M;
  isAdmin: boolean;
}

interface Channel<M> {
  holder: Holder<M> | undefined;
  queue: Waiter<M>[];
}

export class FloorControl<M extends string = string, C extends string = string> {
  readonly #channels = new Map<C, Channel<M>>();
  /** Member to the channel whose floor they hold. */
  readonly #talking = new Map<M, C>();
  /** Member to the channel whose queue they wait in. */
  readonly #waiting = new Map<M, C>();
  readonly #maxTalkMs: number;
  readonly #queuing: boolean;

  constructor(options: FloorOptions<C> = {}) {
    const maxTalkMs = options.maxTalkMs ?? 60_000;
    if (!Number.isFinite(maxTalkMs) || maxTalkMs <= 0) {
      throw new RangeError(`maxTalkMs must be a positive number of ms, got ${maxTalkMs}`);
    }
    this.#maxTalkMs = maxTalkMs;
    this.#queuing = options.queuing ?? false;
    for (const channelId of options.channels ?? []) this.addChannel(channelId);
  }

  /** Adds a channel; adding one that exists changes nothing. */
  addChannel(channelId: C): void {
    if (!this.#channels.has(channelId))
      this.#channels.set(channelId, { holder: undefined, queue: [] });
  }

  /** Removes a channel, ending its floor and emptying its queue. Idempotent. */
  removeChannel(channelId: C): FloorEvent<M, C>[] {
    const channel = this.#channels.get(channelId);
    if (!channel) return [];
    const events: FloorEvent<M, C>[] = [];
    if (channel.holder) events.push(this.#letGo(channelId, channel, 'channel-removed'));
    for (const { memberId } of channel.queue) {
      this.#waiting.delete(memberId);
      events.push({ type: 'dequeued', channelId, memberId, reason: 'channel-removed' });
    }
    this.#channels.delete(channelId);
    return events;
  }

  /** A press of the talk button on `channelId`: granted, queued, pre-empting, or refused. */
  request(
    channelId: C,
    memberId: M,
    now: number,
    { isAdmin = false }: { isAdmin?: boolean } = {},
  ): FloorResult<M, C> {
    const channel = this.#channels.get(channelId);
    if (!channel) return { ok: false, reason: 'unknown-channel' };
    const held = this.#talking.get(memberId);
    if (held !== undefined && held !== channelId) return { ok: false, reason: 'already-talking' };
    const holder = channel.holder;
    if (holder?.memberId === memberId) {
      return { ok: true, events: [grantedEvent(channelId, holder)] };
    }
    const waitsHere = this.#waiting.get(memberId) === channelId;
    const preempts = isAdmin && holder?.isAdmin === false;
    if (holder && !preempts) {
      if (waitsHere) return { ok: true, events: [this.#queuedEvent(channelId, channel, memberId)] };
      if (!this.#queuing) return { ok: false, reason: 'busy' };
      const events = this.#dequeue(memberId, 'moved');
      channel.queue.push({ memberId, isAdmin });
      this.#waiting.set(memberId, channelId);
      events.push(this.#queuedEvent(channelId, channel, memberId));
      return { ok: true, events };
    }
    // Free, or an admin pre-empting a non-admin. A free channel has an empty queue: every end
    // of a floor promotes the next in line.
    const events = waitsHere
      ? this.#unqueue(channelId, channel, memberId)
      : this.#dequeue(memberId, 'moved');
    if (holder) events.push(this.#letGo(channelId, channel, 'preempted', memberId));
    events.push(this.#grant(channelId, channel, { memberId, isAdmin }, now));
    return { ok: true, events };
  }

  /**
   * The talk button let go. Ends the member's floor on `channelId` (the next in line gets it),
   * or takes them out of its queue. Refused when they neither hold nor wait there, e.g. a
   * release after a revoke: the revoke wins over the held button.
   */
  release(channelId: C, memberId: M, now: number): FloorResult<M, C> {
    const channel = this.#channels.get(channelId);
    if (!channel) return { ok: false, reason: 'unknown-channel' };
    if (channel.holder?.memberId === memberId) {
      return { ok: true, events: this.#end(channelId, channel, 'released', now) };
    }
    if (this.#waiting.get(memberId) === channelId) {
      return { ok: true, events: this.#dequeue(memberId, 'left') };
    }
    return { ok: false, reason: 'not-holder' };
  }

  /** An admin ends `memberId`'s floor (or place in a queue) wherever it is. */
  revoke(memberId: M, now: number, { isAdmin }: { isAdmin: boolean }): FloorResult<M, C> {
    if (!isAdmin) return { ok: false, reason: 'not-admin' };
    const events = this.#leaveAll(memberId, 'revoked', now);
    return events.length > 0 ? { ok: true, events } : { ok: false, reason: 'not-holder' };
  }

  /** The member's socket or ICE is gone: out of every floor and queue. Idempotent. */
  drop(memberId: M, now: number): FloorEvent<M, C>[] {
    return this.#leaveAll(memberId, 'dropped', now);
  }

  /** Ends every floor whose time is up at `now`; the next in line gets each. */
  tick(now: number): FloorEvent<M, C>[] {
    const events: FloorEvent<M, C>[] = [];
    for (const [channelId, channel] of this.#channels) {
      if (channel.holder && channel.holder.deadline <= now) {
        events.push(...this.#end(channelId, channel, 'expired', now));
      }
    }
    return events;
  }

  /** When the next floor runs out: the server arms one timer for it and then calls `tick`. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const { holder } of this.#channels.values()) {
      if (holder && (next === undefined || holder.deadline < next)) next = holder.deadline;
    }
    return next;
  }

  /** Who talks where, and since when. */
  holders(): FloorHolder<M, C>[] {
    const result: FloorHolder<M, C>[] = [];
    for (const [channelId, { holder }] of this.#channels) {
      if (holder) {
        const { memberId, since, deadline } = holder;
        result.push({ channelId, memberId, since, deadline });
      }
    }
    return result;
  }

  /** The members waiting on `channelId`, next first; empty for an unknown channel. */
  queue(channelId: C): M[] {
    return (this.#channels.get(channelId)?.queue ?? []).map((waiter) => waiter.memberId);
  }

  channels(): C[] {
    return [...this.#channels.keys()];
  }

  #leaveAll(memberId: M, reason: 'revoked' | 'dropped', now: number): FloorEvent<M, C>[] {
    const held = this.#talking.get(memberId);
    const channel = held === undefined ? undefined : this.#channels.get(held);
    if (held !== undefined && channel) return this.#end(held, channel, reason, now);
    return this.#dequeue(memberId, reason);
  }

  /** Ends the floor and hands it to the next in line. */
  #end(channelId: C, channel: Channel<M>, reason: FloorEndReason, now: number): FloorEvent<M, C>[] {
    const events: FloorEvent<M, C>[] = [this.#letGo(channelId, channel, reason)];
    const next = channel.queue[0];
    if (next) {
      events.push(...this.#unqueue(channelId, channel, next.memberId));
      events.push(this.#grant(channelId, channel, next, now));
    }
    return events;
  }

  #letGo(channelId: C, channel: Channel<M>, reason: FloorEndReason, by?: M): FloorEvent<M, C> {
    const holder = channel.holder;
    if (!holder) throw new Error(`channel ${channelId} has no floor to end`);
    channel.holder = undefined;
    this.#talking.delete(holder.memberId);
    const { memberId, since } = holder;
    return by === undefined
      ? { type: 'ended', channelId, memberId, since, reason }
      : { type: 'ended', channelId, memberId, since, reason, by };
  }

  #grant(channelId: C, channel: Channel<M>, waiter: Waiter<M>, now: number): FloorEvent<M, C> {
    const holder = { ...waiter, since: now, deadline: now + this.#maxTalkMs };
    channel.holder = holder;
    this.#talking.set(waiter.memberId, channelId);
    return grantedEvent(channelId, holder);
  }

  /** Takes the member out of whatever queue they wait in, telling them why. */
  #dequeue(memberId: M, reason: DequeueReason): FloorEvent<M, C>[] {
    const channelId = this.#waiting.get(memberId);
    const channel = channelId === undefined ? undefined : this.#channels.get(channelId);
    if (channelId === undefined || !channel) return [];
    return [
      { type: 'dequeued', channelId, memberId, reason },
      ...this.#unqueue(channelId, channel, memberId),
    ];
  }

  /** Removes the member from the queue; those behind them hear their new position. */
  #unqueue(channelId: C, channel: Channel<M>, memberId: M): FloorEvent<M, C>[] {
    const index = channel.queue.findIndex((waiter) => waiter.memberId === memberId);
    if (index < 0) return [];
    channel.queue.splice(index, 1);
    this.#waiting.delete(memberId);
    return channel.queue.slice(index).map((waiter, i) => ({
      type: 'queued' as const,
      channelId,
      memberId: waiter.memberId,
      position: index + i + 1,
    }));
  }

  #queuedEvent(channelId: C, channel: Channel<M>, memberId: M): FloorEvent<M, C> {
    const position = channel.queue.findIndex((waiter) => waiter.memberId === memberId) + 1;
    return { type: 'queued', channelId, memberId, position };
  }
}

function grantedEvent<M extends string, C extends string>(
  channelId: C,
  { memberId, since, deadline }: Holder<M>,
): FloorEvent<M, C> {
  return { type: 'granted', channelId, memberId, since, deadline };
}
