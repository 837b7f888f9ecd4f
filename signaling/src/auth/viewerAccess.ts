import type { IncomingMessage, ServerResponse } from 'node:http';
import { signViewerToken, verifyViewerToken } from '@parley/hls-gateway';
import type { HlsServeOptions } from '@parley/hls-gateway';
import type { BroadcastId, RoomId } from '@parley/protocol';
import { BroadcastIds } from './broadcastIds.ts';
import { cookie, readCookie } from './cookies.ts';

/** A viewer link works for 12 hours. */
const VIEWER_TOKEN_TTL_S = 12 * 60 * 60;
/** The segment cookie lives briefly and is renewed by every playlist poll (about once a segment). */
const SEGMENT_COOKIE = 'parley_watch';
const SEGMENT_COOKIE_MAX_AGE_S = 10 * 60;

/**
 * Who may see a private room's status and broadcast: holders of a viewer token, which the host
 * hands out as `/watch/<broadcastId>?t=<token>`. Public rooms need none. The watch link names
 * the broadcast, not the room (see BroadcastIds): sharing it never shares the join link.
 *
 * HLS and tokens: a player resolves segment URLs relative to the playlist URL, and that drops
 * the playlist's query string, so `?t=` never reaches `/hls/<broadcastId>/<segment>`. Rewriting the
 * playlist would put tokens into a CDN-cached file; instead, a playlist request with a valid
 * `?t=` (or `?token=`) sets an HttpOnly, SameSite=Strict cookie holding the same token with
 * Path=/hls/<broadcastId>/, and segment requests may present either the query or that cookie. The
 * playlist itself always needs the query, so the link stays the one credential.
 *
 * With the ladder (issue 20), `index.m3u8` is a master playlist and Safari's own player fetches
 * the renditions' playlists (`hi.m3u8`, `lo.m3u8`) relative to it, without the query: those
 * take the cookie like segments, and renew it, since Safari reads the master only once.
 */
export class ViewerAccess {
  readonly #secret: string;
  readonly #isPrivate: (id: RoomId) => Promise<boolean>;
  readonly #broadcastIds: BroadcastIds;

  constructor(secret: string, isPrivate: (id: RoomId) => Promise<boolean>) {
    this.#secret = secret;
    this.#isPrivate = isPrivate;
    this.#broadcastIds = new BroadcastIds(secret);
  }

  /** The id in a room's watch link and HLS URLs. */
  broadcastId(roomId: RoomId): BroadcastId {
    return this.#broadcastIds.of(roomId);
  }

  /** The room behind a broadcast id (whether or not it exists); undefined for a malformed id. */
  roomOf(broadcastId: string): RoomId | undefined {
    return this.#broadcastIds.roomOf(broadcastId);
  }

  /** A token that lets its holder watch `roomId` for 12 hours. */
  token(roomId: RoomId): string {
    return signViewerToken(roomId, this.#secret, VIEWER_TOKEN_TTL_S);
  }

  /** True for a public room, or a private one with a valid token. */
  async allows(roomId: RoomId, token: string | null | undefined): Promise<boolean> {
    return (
      !(await this.#isPrivate(roomId)) ||
      verifyViewerToken(roomId, token ?? undefined, this.#secret)
    );
  }

  /** handleHlsRequest's `authorize` for one request (it needs the request's URL and cookies). */
  hlsAuthorizer(req: IncomingMessage, res: ServerResponse): HlsServeOptions['authorize'] {
    return async (roomId, token) => {
      const id = roomId as RoomId; // handleHlsRequest has checked the room id pattern
      if (!(await this.#isPrivate(id))) return true;
      const url = new URL(req.url ?? '/', 'http://localhost');
      const fromQuery = token ?? url.searchParams.get('t') ?? undefined;
      // The cookie goes to this broadcast's URLs only: `/hls/<broadcastId>/`.
      const dir = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1);
      const setCookie = (value: string) =>
        res.setHeader(
          'Set-Cookie',
          cookie(req, SEGMENT_COOKIE, value, { path: dir, maxAgeS: SEGMENT_COOKIE_MAX_AGE_S }),
        );
      if (fromQuery && verifyViewerToken(id, fromQuery, this.#secret)) {
        setCookie(fromQuery);
        return true;
      }
      if (url.pathname.endsWith('/index.m3u8')) return false;
      const fromCookie = readCookie(req, SEGMENT_COOKIE);
      if (!verifyViewerToken(id, fromCookie, this.#secret)) return false;
      if (fromCookie && url.pathname.endsWith('.m3u8')) setCookie(fromCookie);
      return true;
    };
  }
}
