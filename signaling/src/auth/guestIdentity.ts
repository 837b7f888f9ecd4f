import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { cookie, readCookie } from './cookies.ts';

/**
 * The guest identity cookie. Path=/ws: only the WebSocket upgrade carries it; no script can
 * read it (HttpOnly) and no other site can make the browser send it (SameSite=Strict).
 */
export const GUEST_COOKIE = 'parley_guest';
const GUEST_PATH = '/ws';
/** A year: a guest is the same guest across meetings until the browser forgets us. */
const GUEST_MAX_AGE_S = 365 * 24 * 60 * 60;

/** Who the server says a browser is: an id it issued, and when. */
export interface GuestPass {
  /** 128 random bits, base64url: issued by the server, never chosen by the client. */
  id: string;
  /** When it was issued (ms since the epoch). */
  issuedAt: number;
}

/** What an upgrade brings: its guest pass, and the Set-Cookie for the 101 when it was new. */
export interface GuestAtUpgrade {
  pass: GuestPass;
  setCookie: string | undefined;
}

/**
 * Issues and checks guest identities: `<id>.<issuedAt>.<hmac>`, signed with a key derived from
 * the JWT secret, so every node of a cluster (which shares JWT_SECRET) accepts every other
 * node's cookie, and a cookie can never pass for another kind of token. Bans key on the id,
 * which a client cannot pick; a deviceId (the client's choice) is only an extra key.
 */
export class GuestIdentities {
  readonly #key: Buffer;

  constructor(jwtSecret: Uint8Array) {
    this.#key = createHmac('sha256', jwtSecret).update('parley guest identity v1').digest();
  }

  /** A new identity and its cookie value. */
  mint(now = Date.now()): { pass: GuestPass; value: string } {
    const pass = { id: randomBytes(16).toString('base64url'), issuedAt: now };
    const body = `${pass.id}.${now.toString(36)}`;
    return { pass, value: `${body}.${this.#mac(body)}` };
  }

  /** The identity a cookie value stands for; undefined when it is missing, malformed or forged. */
  verify(value: string | undefined): GuestPass | undefined {
    const match = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!match) return undefined;
    const [, id = '', issued = '', mac = ''] = match;
    const expected = Buffer.from(this.#mac(`${id}.${issued}`));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    return { id, issuedAt: parseInt(issued, 36) };
  }

  /**
   * The guest at a WebSocket upgrade: the one its cookie names, or a new one (with the
   * Set-Cookie that goes on the 101 response, so the browser brings it next time).
   */
  atUpgrade(req: IncomingMessage): GuestAtUpgrade {
    const known = this.verify(readCookie(req, GUEST_COOKIE));
    if (known) return { pass: known, setCookie: undefined };
    const { pass, value } = this.mint();
    const options = { path: GUEST_PATH, maxAgeS: GUEST_MAX_AGE_S };
    return { pass, setCookie: cookie(req, GUEST_COOKIE, value, options) };
  }

  /**
   * A keyed hash of a client address: bans remember where a removed guest came from without
   * the store keeping the address itself.
   */
  network(address: string): string {
    return this.#mac(`network ${address}`).slice(0, 22);
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }
}
