import { describe, expect, it } from 'vitest';
import type { PeerId, RoomId } from '@parley/protocol';
import { BoardTickets } from './boardTickets.ts';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA' as RoomId;
const OTHER_ROOM = 'BBBBBBBBBBBBBBBBBBBBBB' as RoomId;
const PEER = 'peer-0001' as PeerId;
const NOW = 1_800_000_000_000;
const TTL = 10 * 60_000;

const tickets = new BoardTickets('a-jwt-secret-of-at-least-32-characters');
const { ticket: upload } = tickets.mint(ROOM, PEER, true, NOW);
const { ticket: readOnly } = tickets.mint(ROOM, PEER, false, NOW);

/** The same ticket with one character of its payload (or its mac) changed. */
const flip = (t: string, at: number): string =>
  t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);

describe('BoardTickets', () => {
  it('mints a ticket that expires after the ttl and says whether it uploads', () => {
    expect(tickets.mint(ROOM, PEER, true, NOW)).toEqual({
      ticket: expect.stringMatching(/^[\w-]+\.[\w-]{43}$/),
      expiresAt: NOW + TTL,
      upload: true,
    });
    expect(new BoardTickets('s', 1_000).mint(ROOM, PEER, false, NOW).expiresAt).toBe(NOW + 1_000);
  });

  it.each([
    ['an upload ticket, fresh', upload, ROOM, NOW, { peerId: PEER, upload: true }],
    ['a read-only ticket', readOnly, ROOM, NOW, { peerId: PEER, upload: false }],
    [
      'a ticket just before it expires',
      upload,
      ROOM,
      NOW + TTL - 1,
      { peerId: PEER, upload: true },
    ],
    ['a ticket once it expires', upload, ROOM, NOW + TTL, undefined],
    ['a ticket for another room', upload, OTHER_ROOM, NOW, undefined],
    ['a tampered payload', flip(upload, 3), ROOM, NOW, undefined],
    ['a tampered mac', flip(upload, upload.length - 2), ROOM, NOW, undefined],
    [
      'a read-only payload with the upload mac',
      `${readOnly.split('.')[0]}.${upload.split('.')[1]}`,
      ROOM,
      NOW,
      undefined,
    ],
    [
      'a ticket of another secret',
      new BoardTickets('other').mint(ROOM, PEER, true, NOW).ticket,
      ROOM,
      NOW,
      undefined,
    ],
    ['no dot', upload.replace('.', ''), ROOM, NOW, undefined],
    ['the empty string', '', ROOM, NOW, undefined],
    ['a truncated mac', upload.slice(0, -1), ROOM, NOW, undefined],
    ['garbage', 'not a ticket at all', ROOM, NOW, undefined],
    [
      'one minted for a malformed peer id',
      tickets.mint(ROOM, 'a b' as PeerId, true, NOW).ticket,
      ROOM,
      NOW,
      undefined,
    ],
  ] as const)('verifies %s', (_what, ticket, roomId, now, holder) => {
    expect(tickets.verify(ticket, roomId, now)).toEqual(holder);
  });
});
