import { createHmac, timingSafeEqual } from 'node:crypto';
import { RoomIdSchema } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';

/** Who may rate which meeting: what a valid ticket says. */
export interface FeedbackHolder {
  roomId: RoomId;
  meetingId: string;
  /** The person (`u:`, `g:` or `p:` key): one rating each. */
  personKey: string;
}

const TICKET = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/;

/**
 * Feedback tickets (issue 21): minted for each admitted person with `joined`, where the server
 * knows who they are and which meeting they are in, and posted with the rating after they left
 * (no socket then, and a guest's cookie is for /ws only). Signed with a key derived from the
 * JWT secret with its own label, like the board tickets, so any node of a cluster accepts them
 * and no other token passes for one. Valid for `ttlMs` (default 7 days) after the join.
 */
export class FeedbackTickets {
  readonly #key: Buffer;

  constructor(
    secret: string | Uint8Array,
    private readonly ttlMs = 7 * 24 * 60 * 60_000,
  ) {
    this.#key = createHmac('sha256', secret).update('parley feedback ticket v1').digest();
  }

  mint(holder: FeedbackHolder, now: number): string {
    const expires = (now + this.ttlMs).toString(36);
    const fields = [holder.roomId, holder.meetingId, holder.personKey, expires].join(' ');
    const payload = Buffer.from(fields).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The holder; undefined when malformed, forged or expired. */
  verify(ticket: string, now: number): FeedbackHolder | undefined {
    const [, payload = '', mac = ''] = TICKET.exec(ticket) ?? [];
    if (!payload || !timingSafeEqual(Buffer.from(this.#mac(payload)), Buffer.from(mac))) {
      return undefined;
    }
    const [room, meetingId, personKey, expires, ...rest] = Buffer.from(payload, 'base64url')
      .toString()
      .split(' ');
    const roomId = RoomIdSchema.safeParse(room);
    if (!roomId.success || !meetingId || !personKey || rest.length > 0) return undefined;
    if (!(now < parseInt(expires ?? '', 36))) return undefined;
    return { roomId: roomId.data, meetingId, personKey };
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }
}
