import { describe, expect, it } from 'vitest';
import { FloorControl, type FloorEvent, type FloorOptions, type FloorResult } from './floor.ts';

const T0 = 1_000;

function floors(options: FloorOptions = {}) {
  return new FloorControl({ channels: ['general', 'ops'], ...options });
}

function events(result: FloorResult): FloorEvent[] {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.events;
}

const granted = (channelId: string, memberId: string, since: number, maxTalkMs = 60_000) => ({
  type: 'granted',
  channelId,
  memberId,
  since,
  deadline: since + maxTalkMs,
});

describe('FloorControl: request and release', () => {
  it('grants a free channel, with since and deadline, and reports the holder', () => {
    const f = floors();
    expect(events(f.request('general', 'ann', T0))).toEqual([granted('general', 'ann', T0)]);
    expect(f.holders()).toEqual([
      { channelId: 'general', memberId: 'ann', since: T0, deadline: T0 + 60_000 },
    ]);
    expect(f.nextDeadline()).toBe(T0 + 60_000);
  });

  it('refuses a busy channel when the team does not queue, changing nothing', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(f.request('general', 'bob', T0 + 5)).toEqual({ ok: false, reason: 'busy' });
    expect(f.holders().map((h) => h.memberId)).toEqual(['ann']);
    expect(f.queue('general')).toEqual([]);
  });

  it('grants exactly one of two requests at the same moment', () => {
    const plain = floors();
    const first = plain.request('ops', 'bob', T0);
    const second = plain.request('ops', 'cat', T0);
    expect(first).toEqual({ ok: true, events: [granted('ops', 'bob', T0)] });
    expect(second).toEqual({ ok: false, reason: 'busy' });
    expect(plain.holders()).toEqual([expect.objectContaining({ memberId: 'bob' })]);

    const queuing = floors({ queuing: true });
    queuing.request('ops', 'bob', T0);
    expect(events(queuing.request('ops', 'cat', T0))).toEqual([
      { type: 'queued', channelId: 'ops', memberId: 'cat', position: 1 },
    ]);
    expect(queuing.holders()).toEqual([expect.objectContaining({ memberId: 'bob' })]);
  });

  it('lets different members talk on different channels at once', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(events(f.request('ops', 'bob', T0 + 1))).toEqual([granted('ops', 'bob', T0 + 1)]);
    expect(f.holders()).toHaveLength(2);
  });

  it('releases the holder, and the channel is free again', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(events(f.release('general', 'ann', T0 + 3_000))).toEqual([
      { type: 'ended', channelId: 'general', memberId: 'ann', since: T0, reason: 'released' },
    ]);
    expect(f.holders()).toEqual([]);
    expect(f.nextDeadline()).toBeUndefined();
    expect(events(f.request('general', 'bob', T0 + 3_001))).toEqual([
      granted('general', 'bob', T0 + 3_001),
    ]);
  });

  it('refuses a release by a member who does not hold the floor, changing nothing', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(f.release('general', 'bob', T0)).toEqual({ ok: false, reason: 'not-holder' });
    expect(f.release('ops', 'ann', T0)).toEqual({ ok: false, reason: 'not-holder' });
    expect(f.release('general', 'ann', T0)).toMatchObject({ ok: true });
    expect(f.release('general', 'ann', T0)).toEqual({ ok: false, reason: 'not-holder' });
  });

  it('restates the standing on a repeated request without changing it', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0);
    expect(events(f.request('general', 'ann', T0 + 500))).toEqual([granted('general', 'ann', T0)]);
    expect(events(f.request('general', 'bob', T0 + 500))).toEqual([
      { type: 'queued', channelId: 'general', memberId: 'bob', position: 1 },
    ]);
    expect(f.queue('general')).toEqual(['bob']);
  });

  it('refuses a second floor while holding one, changing nothing', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(f.request('ops', 'ann', T0 + 1)).toEqual({ ok: false, reason: 'already-talking' });
    expect(f.request('ops', 'ann', T0 + 1, { isAdmin: true })).toEqual({
      ok: false,
      reason: 'already-talking',
    });
    expect(f.holders()).toEqual([expect.objectContaining({ channelId: 'general' })]);
  });

  it.each([
    ['request', (f: FloorControl) => f.request('nope', 'ann', T0)],
    ['admin request', (f: FloorControl) => f.request('nope', 'ann', T0, { isAdmin: true })],
    ['release', (f: FloorControl) => f.release('nope', 'ann', T0)],
  ])('refuses a %s on an unknown channel', (_what, call) => {
    expect(call(floors())).toEqual({ ok: false, reason: 'unknown-channel' });
  });

  it('rejects a maximum talk time that is not a positive number', () => {
    for (const maxTalkMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => floors({ maxTalkMs })).toThrow(RangeError);
    }
  });
});

describe('FloorControl: queue', () => {
  it('queues in FIFO order and reports each position', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    const positions = ['bob', 'cat', 'dan'].map((m) => events(f.request('general', m, T0)));
    expect(positions).toEqual(
      [1, 2, 3].map((position, i) => [
        { type: 'queued', channelId: 'general', memberId: ['bob', 'cat', 'dan'][i], position },
      ]),
    );
    expect(f.queue('general')).toEqual(['bob', 'cat', 'dan']);
  });

  it('promotes the next in line on release, and moves the others up', () => {
    const f = floors({ queuing: true });
    for (const m of ['ann', 'bob', 'cat']) f.request('general', m, T0);
    expect(events(f.release('general', 'ann', T0 + 2_000))).toEqual([
      { type: 'ended', channelId: 'general', memberId: 'ann', since: T0, reason: 'released' },
      { type: 'queued', channelId: 'general', memberId: 'cat', position: 1 },
      granted('general', 'bob', T0 + 2_000),
    ]);
    expect(f.queue('general')).toEqual(['cat']);
  });

  it('takes a queued member out of the queue when they release', () => {
    const f = floors({ queuing: true });
    for (const m of ['ann', 'bob', 'cat', 'dan']) f.request('general', m, T0);
    expect(events(f.release('general', 'bob', T0 + 1))).toEqual([
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'left' },
      { type: 'queued', channelId: 'general', memberId: 'cat', position: 1 },
      { type: 'queued', channelId: 'general', memberId: 'dan', position: 2 },
    ]);
    expect(f.queue('general')).toEqual(['cat', 'dan']);
    expect(f.holders()).toEqual([expect.objectContaining({ memberId: 'ann' })]);
  });

  it('moves a queued member to another channel they ask for', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0);
    expect(events(f.request('ops', 'bob', T0 + 1))).toEqual([
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'moved' },
      granted('ops', 'bob', T0 + 1),
    ]);
    expect(f.queue('general')).toEqual([]);
  });

  it('keeps a queued member in line when the other channel refuses them', () => {
    const f = floors({ queuing: false });
    f.request('general', 'ann', T0);
    f.request('ops', 'cat', T0);
    expect(f.request('ops', 'bob', T0)).toEqual({ ok: false, reason: 'busy' });
    const q = floors({ queuing: true });
    q.request('general', 'ann', T0);
    q.request('ops', 'cat', T0);
    q.request('general', 'bob', T0);
    expect(events(q.request('ops', 'bob', T0 + 1))).toEqual([
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'moved' },
      { type: 'queued', channelId: 'ops', memberId: 'bob', position: 1 },
    ]);
  });
});

describe('FloorControl: maximum talk time', () => {
  it('expires the holder at the deadline, not before, and promotes the next in line', () => {
    const f = floors({ queuing: true, maxTalkMs: 10_000 });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0 + 1);
    expect(f.nextDeadline()).toBe(T0 + 10_000);
    expect(f.tick(T0 + 9_999)).toEqual([]);
    expect(f.tick(T0 + 10_000)).toEqual([
      { type: 'ended', channelId: 'general', memberId: 'ann', since: T0, reason: 'expired' },
      granted('general', 'bob', T0 + 10_000, 10_000),
    ]);
    expect(f.nextDeadline()).toBe(T0 + 20_000);
  });

  it('defaults to 60 s, and one late tick expires every channel that is due', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    f.request('ops', 'bob', T0 + 30_000);
    expect(f.tick(T0 + 59_999)).toEqual([]);
    expect(f.tick(T0 + 90_000).map((e) => [e.type, e.memberId])).toEqual([
      ['ended', 'ann'],
      ['ended', 'bob'],
    ]);
    expect(f.nextDeadline()).toBeUndefined();
  });

  it('points nextDeadline at the earliest floor', () => {
    const f = floors({ maxTalkMs: 5_000 });
    f.request('ops', 'bob', T0 + 100);
    f.request('general', 'ann', T0);
    expect(f.nextDeadline()).toBe(T0 + 5_000);
    f.tick(T0 + 5_000);
    expect(f.nextDeadline()).toBe(T0 + 5_100);
  });

  it('refuses the expired member a release; a new request grants them again', () => {
    const f = floors({ maxTalkMs: 1_000 });
    f.request('general', 'ann', T0);
    f.tick(T0 + 1_000);
    expect(f.release('general', 'ann', T0 + 1_500)).toEqual({ ok: false, reason: 'not-holder' });
    expect(events(f.request('general', 'ann', T0 + 2_000))).toEqual([
      granted('general', 'ann', T0 + 2_000, 1_000),
    ]);
  });
});

describe('FloorControl: admins', () => {
  it('lets an admin pre-empt a non-admin holder, who is told by whom', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0);
    expect(events(f.request('general', 'boss', T0 + 10, { isAdmin: true }))).toEqual([
      {
        type: 'ended',
        channelId: 'general',
        memberId: 'ann',
        since: T0,
        reason: 'preempted',
        by: 'boss',
      },
      granted('general', 'boss', T0 + 10),
    ]);
    expect(f.queue('general')).toEqual(['bob']);
    expect(f.release('general', 'ann', T0 + 20)).toEqual({ ok: false, reason: 'not-holder' });
  });

  it('does not let an admin pre-empt another admin: busy, or queued', () => {
    const plain = floors();
    plain.request('general', 'boss', T0, { isAdmin: true });
    expect(plain.request('general', 'chief', T0, { isAdmin: true })).toEqual({
      ok: false,
      reason: 'busy',
    });
    const queuing = floors({ queuing: true });
    queuing.request('general', 'boss', T0, { isAdmin: true });
    expect(events(queuing.request('general', 'chief', T0, { isAdmin: true }))).toEqual([
      { type: 'queued', channelId: 'general', memberId: 'chief', position: 1 },
    ]);
  });

  it('lets a queued admin pre-empt when a non-admin has since taken the floor', () => {
    const f = floors({ queuing: true });
    f.request('general', 'boss', T0, { isAdmin: true });
    f.request('general', 'ann', T0);
    f.request('general', 'chief', T0, { isAdmin: true });
    f.release('general', 'boss', T0 + 1);
    expect(events(f.request('general', 'chief', T0 + 2, { isAdmin: true }))).toEqual([
      {
        type: 'ended',
        channelId: 'general',
        memberId: 'ann',
        since: T0 + 1,
        reason: 'preempted',
        by: 'chief',
      },
      granted('general', 'chief', T0 + 2),
    ]);
    expect(f.queue('general')).toEqual([]);
  });

  it('lets an admin revoke a floor, and the next in line gets it', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0);
    expect(events(f.revoke('ann', T0 + 50, { isAdmin: true }))).toEqual([
      { type: 'ended', channelId: 'general', memberId: 'ann', since: T0, reason: 'revoked' },
      granted('general', 'bob', T0 + 50),
    ]);
  });

  it('makes a revoke win over a held button: no release, no floor back without a new request', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    f.revoke('ann', T0 + 50, { isAdmin: true });
    expect(f.release('general', 'ann', T0 + 60)).toEqual({ ok: false, reason: 'not-holder' });
    expect(f.tick(T0 + 120_000)).toEqual([]);
    expect(f.holders()).toEqual([]);
    expect(events(f.request('general', 'ann', T0 + 200))).toEqual([
      granted('general', 'ann', T0 + 200),
    ]);
  });

  it('revokes a place in a queue', () => {
    const f = floors({ queuing: true });
    for (const m of ['ann', 'bob', 'cat']) f.request('general', m, T0);
    expect(events(f.revoke('bob', T0 + 1, { isAdmin: true }))).toEqual([
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'revoked' },
      { type: 'queued', channelId: 'general', memberId: 'cat', position: 1 },
    ]);
  });

  it('refuses a revoke by a non-admin, or of someone without a floor', () => {
    const f = floors();
    f.request('general', 'ann', T0);
    expect(f.revoke('ann', T0, { isAdmin: false })).toEqual({ ok: false, reason: 'not-admin' });
    expect(f.revoke('bob', T0, { isAdmin: true })).toEqual({ ok: false, reason: 'not-holder' });
    expect(f.holders()).toHaveLength(1);
  });
});

describe('FloorControl: drops and channels', () => {
  it('drops a disconnected holder and promotes the next in line', () => {
    const f = floors({ queuing: true });
    f.request('general', 'ann', T0);
    f.request('general', 'bob', T0);
    expect(f.drop('ann', T0 + 7)).toEqual([
      { type: 'ended', channelId: 'general', memberId: 'ann', since: T0, reason: 'dropped' },
      granted('general', 'bob', T0 + 7),
    ]);
    expect(f.drop('ann', T0 + 8)).toEqual([]);
  });

  it('drops a disconnected member from the queue', () => {
    const f = floors({ queuing: true });
    for (const m of ['ann', 'bob', 'cat']) f.request('general', m, T0);
    expect(f.drop('bob', T0 + 1)).toEqual([
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'dropped' },
      { type: 'queued', channelId: 'general', memberId: 'cat', position: 1 },
    ]);
    expect(f.queue('general')).toEqual(['cat']);
    expect(f.holders()).toEqual([expect.objectContaining({ memberId: 'ann' })]);
  });

  it('removes a channel: its holder and queue are let go, nobody is promoted', () => {
    const f = floors({ queuing: true });
    for (const m of ['ann', 'bob', 'cat']) f.request('general', m, T0);
    f.request('ops', 'dan', T0);
    expect(f.removeChannel('general')).toEqual([
      {
        type: 'ended',
        channelId: 'general',
        memberId: 'ann',
        since: T0,
        reason: 'channel-removed',
      },
      { type: 'dequeued', channelId: 'general', memberId: 'bob', reason: 'channel-removed' },
      { type: 'dequeued', channelId: 'general', memberId: 'cat', reason: 'channel-removed' },
    ]);
    expect(f.removeChannel('general')).toEqual([]);
    expect(f.channels()).toEqual(['ops']);
    expect(f.queue('general')).toEqual([]);
    expect(f.request('general', 'bob', T0 + 1)).toEqual({ ok: false, reason: 'unknown-channel' });
    expect(f.release('general', 'ann', T0 + 1)).toEqual({ ok: false, reason: 'unknown-channel' });
    expect(events(f.request('ops', 'ann', T0 + 1))).toEqual([
      { type: 'queued', channelId: 'ops', memberId: 'ann', position: 1 },
    ]);
  });

  it('adds a channel, idempotently, without disturbing its floor', () => {
    const f = new FloorControl();
    expect(f.request('radio', 'ann', T0)).toEqual({ ok: false, reason: 'unknown-channel' });
    f.addChannel('radio');
    f.request('radio', 'ann', T0);
    f.addChannel('radio');
    expect(f.holders()).toEqual([expect.objectContaining({ channelId: 'radio', memberId: 'ann' })]);
  });
});

/** mulberry32: a small seeded PRNG, so a failing sequence replays exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('FloorControl: random sequences keep the invariants', () => {
  const CHANNELS = ['a', 'b', 'c'];
  const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'];
  const ADMINS = new Set(['m0', 'm1']);

  it.each([
    [1, true],
    [2, false],
    [3, true],
    [42, true],
  ])('seed %i, queuing %s', (seed, queuing) => {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const f = new FloorControl({ channels: CHANNELS, queuing, maxTalkMs: 5_000 });
    // What the server would know from the effects alone; it must match the snapshot.
    const talking = new Map<string, string>();
    const waiting = new Map<string, string>();
    let now = 0;

    for (let step = 0; step < 5_000; step++) {
      now += Math.floor(random() * 1_500);
      const member = pick(MEMBERS);
      const roll = random();
      let emitted: FloorEvent[];
      if (roll < 0.4) {
        const result = f.request(pick([...CHANNELS, 'gone']), member, now, {
          isAdmin: ADMINS.has(member),
        });
        emitted = result.ok ? result.events : [];
      } else if (roll < 0.65) {
        const result = f.release(pick(CHANNELS), member, now);
        emitted = result.ok ? result.events : [];
      } else if (roll < 0.72) {
        const result = f.revoke(member, now, { isAdmin: random() < 0.5 });
        emitted = result.ok ? result.events : [];
      } else if (roll < 0.8) {
        emitted = f.drop(member, now);
      } else if (roll < 0.98) {
        const deadline = f.nextDeadline();
        if (deadline !== undefined && deadline > now && random() < 0.5) now = deadline;
        emitted = f.tick(now);
        expect(f.nextDeadline() ?? Infinity).toBeGreaterThan(now);
      } else {
        const channel = pick(CHANNELS);
        emitted = f.removeChannel(channel);
        f.addChannel(channel);
      }

      for (const e of emitted) {
        if (e.type === 'granted') {
          // A repeated request restates the grant it already has.
          expect([undefined, e.channelId]).toContain(talking.get(e.memberId));
          talking.set(e.memberId, e.channelId);
          waiting.delete(e.memberId);
        } else if (e.type === 'ended') {
          expect(talking.get(e.memberId)).toBe(e.channelId);
          talking.delete(e.memberId);
        } else if (e.type === 'queued') {
          waiting.set(e.memberId, e.channelId);
        } else {
          expect(waiting.get(e.memberId)).toBe(e.channelId);
          waiting.delete(e.memberId);
        }
      }

      const holders = f.holders();
      const channelsHeld = holders.map((h) => h.channelId);
      const membersHolding = holders.map((h) => h.memberId);
      expect(new Set(channelsHeld).size).toBe(channelsHeld.length);
      expect(new Set(membersHolding).size).toBe(membersHolding.length);
      for (const h of holders) {
        expect(h.since).toBeLessThanOrEqual(now);
        expect(h.deadline).toBe(h.since + 5_000);
      }
      expect(new Map(holders.map((h) => [h.memberId, h.channelId]))).toEqual(talking);

      const queued = new Map<string, string>();
      for (const channel of f.channels()) {
        const queue = f.queue(channel);
        expect(new Set(queue).size).toBe(queue.length);
        if (queue.length > 0) expect(channelsHeld).toContain(channel);
        if (!queuing) expect(queue).toEqual([]);
        for (const m of queue) {
          expect(membersHolding).not.toContain(m);
          expect(queued.has(m)).toBe(false);
          queued.set(m, channel);
        }
      }
      expect(queued).toEqual(waiting);
    }
  });
});
