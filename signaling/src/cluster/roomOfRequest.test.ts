import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RoomId } from '@parley/protocol';
import { BroadcastIds } from '../auth/broadcastIds.ts';
import { newRoomId } from '../util/ids.ts';
import { recordingOfRequest, roomOfRequest } from './routing.ts';

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

describe('recordingOfRequest: what goes to the node holding the files (issue 18)', () => {
  const id = 'AbCdEfGhIjKlMnOpQrStUv';
  it.each([
    ['GET', `/api/recordings/${id}/mp4?exp=1&sig=x`, id],
    ['HEAD', `/api/recordings/${id}/m4a`, id],
    ['DELETE', `/api/recordings/${id}`, id],
    // Listing and links are answered by any node (the list is shared, links are signed alike).
    ['GET', `/api/rooms/${room}/recordings`, undefined],
    ['POST', `/api/recordings/${id}/links`, undefined],
    ['GET', `/api/recordings/${id}`, undefined],
    ['GET', `/api/recordings/${id}/other`, undefined],
    ['GET', `/api/recordings/../etc/mp4`, undefined],
  ])('%s %s -> %s', (method, url, want) => {
    expect(recordingOfRequest({ url, method } as IncomingMessage)).toBe(want);
  });
});
