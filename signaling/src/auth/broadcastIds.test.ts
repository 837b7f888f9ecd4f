import { describe, expect, it } from 'vitest';
import { ROOM_ID_PATTERN } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import { newRoomId } from '../util/ids.ts';
import { BroadcastIds } from './broadcastIds.ts';

const ids = new BroadcastIds('viewer-secret-for-tests');

describe('BroadcastIds', () => {
  it('gives every room a broadcast id of the same shape, not its own, and maps it back', () => {
    const rooms = Array.from({ length: 200 }, () => newRoomId());
    const broadcasts = rooms.map((room) => ids.of(room));
    expect(new Set(broadcasts).size).toBe(rooms.length);
    for (const [i, room] of rooms.entries()) {
      const broadcast = broadcasts[i] ?? '';
      expect(broadcast).toMatch(ROOM_ID_PATTERN);
      expect(broadcast).not.toBe(room);
      expect(ids.of(room)).toBe(broadcast); // stable: the same link every time it goes on air
      expect(ids.roomOf(broadcast)).toBe(room);
      expect(ids.roomOf(room)).not.toBe(room); // the room id is no watch link
    }
  });

  it('depends on the secret: another server cannot make or read them', () => {
    const room = newRoomId();
    const other = new BroadcastIds('another-secret');
    expect(other.of(room)).not.toBe(ids.of(room));
    expect(other.roomOf(ids.of(room))).not.toBe(room);
  });

  it.each(['', 'short', 'C'.repeat(23), 'C'.repeat(21) + '!', 'A'.repeat(21) + 'B'])(
    'refuses %j (malformed, or not the canonical spelling of 16 bytes)',
    (value) => {
      expect(ids.roomOf(value)).toBeUndefined();
    },
  );

  it('is what the server writes: any 22-character id maps to some room, none of ours', () => {
    const made = ids.roomOf('C'.repeat(22));
    expect(made === undefined || ROOM_ID_PATTERN.test(made)).toBe(true);
    expect(made).not.toBe('C'.repeat(22) as RoomId);
  });
});
