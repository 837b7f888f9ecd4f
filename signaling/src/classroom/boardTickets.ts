import { createHmac, timingSafeEqual } from 'node:crypto';
import { PeerIdSchema } from '@parley/protocol';
import type { PeerId, RoomId } from '@parley/protocol';

/** What a member's `board-ticket` request is answered with. */
export interface MintedTicket {
  ticket: string;
  /** ms since the epoch. */
  expiresAt: number;
  upload: boolean;
}

/** Who a valid ticket was minted for. */
export interface TicketHolder {
  peerId: PeerId;
  upload: boolean;
}

/** `<payload>.<mac>`: base64url of the fields, and of their HMAC-SHA256 (43 characters). */
const TICKET = /^([A-Za-z0-9_-]{1,256})\.([A-Za-z0-9_-]{43})$/;

/**
 * Tickets for the slides' HTTP routes (issue 17): a member asks for one over the socket, where
 * the server knows who they are, and sends it with each upload or download, which carry no
 * socket. A ticket names its room, its holder and whether it may upload, and expires (default
 * 10 minutes), since it cannot be revoked when its holder leaves or is removed. The key is
 * derived from the JWT secret with a label, like the guest cookie's, so every node of a cluster
 * accepts every other's tickets and no other token of ours can pass for one.
 */
export class BoardTickets {
  readonly #key: Buffer;

  constructor(
    secret: string | Uint8Array,
    private readonly ttlMs = 10 * 60_000,
  ) {
    this.#key = createHmac('sha256', secret).update('parley board ticket v1').digest();
  }

  mint(roomId: RoomId, peerId: PeerId, upload: boolean, now = Date.now()): MintedTicket {
    const expiresAt = now + this.ttlMs;
    const fields = [roomId, peerId, upload ? 'u' : 'r', expiresAt.toString(36)].join(' ');
    const payload = Buffer.from(fields).toString('base64url');
    return { ticket: `${payload}.${this.#mac(payload)}`, expiresAt, upload };
  }

  /** The holder of a ticket for `roomId`; undefined when malformed, forged, another room's or expired. */
  verify(ticket: string, roomId: RoomId, now = Date.now()): TicketHolder | undefined {
    const [, payload = '', mac = ''] = TICKET.exec(ticket) ?? [];
    if (!payload || !timingSafeEqual(Buffer.from(this.#mac(payload)), Buffer.from(mac))) {
      return undefined;
    }
    const [room, peer, right, expires, ...rest] = Buffer.from(payload, 'base64url')
      .toString()
      .split(' ');
    const peerId = PeerIdSchema.safeParse(peer);
    const expiresAt = parseInt(expires ?? '', 36);
    if (room !== roomId || !peerId.success || rest.length > 0) return undefined;
    if (!(now < expiresAt)) return undefined;
    return { peerId: peerId.data, upload: right === 'u' };
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}
