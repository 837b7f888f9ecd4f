import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoomId } from '@parley/protocol';
import type { DoorState, DoorStore } from '../store/index.ts';
import { quietLog } from '../telemetry/log.ts';
import { Door, MEETING_GONE_MS, MEETING_PULSE_MS, startMeetingPulse } from './door.ts';

const ROOM = 'r'.repeat(22) as RoomId;

/** A DoorStore holding one room's state in memory, recording what it was asked. */
function memoryStore(state: DoorState) {
  const calls: string[] = [];
  const store: DoorStore = {
    load: async () => state,
    mark: async () => undefined,
    unmark: async () => undefined,
    seat: async () => undefined,
    unseat: async () => undefined,
    raiseHand: async () => undefined,
    lowerHands: async () => undefined,
    clear: async (id) => void calls.push(`clear ${id}`),
    touch: async (ids) => void calls.push(`touch ${ids.join(',')}`),
  };
  return { store, calls };
}

const stored = (aliveAt: number): DoorState => ({
  bans: ['d:removed'],
  cohosts: [],
  seats: [],
  hands: [],
  aliveAt,
});

afterEach(() => vi.useRealTimers());

describe('a stored meeting', () => {
  it('goes on when it ran moments ago (its node just died), and is over after a minute', async () => {
    const removed = { deviceId: 'removed' };
    const fresh = memoryStore(stored(Date.now() - 5_000));
    expect((await Door.load(ROOM, fresh.store)).isBanned(removed)).toBe(true);
    expect(fresh.calls).toEqual([]);
    const old = memoryStore(stored(Date.now() - MEETING_GONE_MS - 1));
    expect((await Door.load(ROOM, old.store)).isBanned(removed)).toBe(false);
    expect(old.calls).toEqual([`clear ${ROOM}`]);
  });

  it('is marked running by its node every pulse, in one call for all its rooms', () => {
    vi.useFakeTimers();
    const { store, calls } = memoryStore(stored(0));
    const stop = startMeetingPulse(() => ['a', 'b'] as RoomId[], store, quietLog);
    vi.advanceTimersByTime(MEETING_PULSE_MS * 2);
    expect(calls).toEqual(['touch a,b', 'touch a,b']);
    stop();
    vi.advanceTimersByTime(MEETING_PULSE_MS * 2);
    expect(calls).toHaveLength(2);
  });
});
