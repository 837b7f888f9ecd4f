import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RoomId } from '@parley/protocol';
import { BroadcastIds } from '../auth/broadcastIds.ts';
import { newRoomId } from '../util/ids.ts';
import { roomOfRequest } from './routing.ts';

const ids = new BroadcastIds('cluster-nodes-share-this-secret');
const room = newRoomId();
const broadcast = ids.of(room);
const resolve = (id: string): RoomId | undefined => ids.roomOf(id);
const roomOf = (url: string) => roomOfRequest({ url } as IncomingMessage, resolve);

describe('roomOfRequest: what a node forwards to the room owner (issue 14)', () => {
  it.each([
    [`/api/rooms/${room}`, room],
    [`/api/rooms/${room}?t=token`, room],
    [`/api/broadcasts/${broadcast}`, room],
    [`/api/broadcasts/${broadcast}/viewers`, room],
    [`/hls/${broadcast}/index.m3u8`, room],
    [`/hls/${broadcast}/seg_12.m4s?token=x`, room],
    // Check-ins by room id are gone; a room id read as a broadcast id names some other room.
    [`/api/rooms/${room}/viewers`, undefined],
    [`/hls/${room}/index.m3u8`, ids.roomOf(room)],
    ['/hls/not-an-id/index.m3u8', undefined],
    ['/api/broadcasts/short', undefined],
    ['/r/whatever', undefined],
  ])('%s', (url, expected) => {
    expect(roomOf(url)).toBe(expected);
  });

  it('finds the same room from any node holding the secret, and none from another', () => {
    const otherNode = new BroadcastIds('cluster-nodes-share-this-secret');
    expect(otherNode.roomOf(broadcast)).toBe(room);
    expect(new BroadcastIds('a-different-cluster').roomOf(broadcast)).not.toBe(room);
  });
});
