import { useEffect, useState } from 'preact/hooks';

/**
 * A route the app knows. `notFound` is a path the app does not serve (`page`), or a room link
 * whose id cannot be a room's (`meeting`): a mistyped link, told apart without asking the server.
 */
export type Route =
  | { name: 'home' }
  | { name: 'notFound'; what: 'page' | 'meeting' }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'forgotPassword' }
  | { name: 'resetPassword' }
  | { name: 'room'; roomId: string }
  | { name: 'recordings'; roomId: string }
  | { name: 'meetings'; roomId: string }
  | { name: 'team'; teamId: string }
  | { name: 'watch'; broadcastId: string };

/** Room, team and broadcast ids: 22 base64url characters (protocol's ROOM_ID_PATTERN). */
const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const ROOM_PATH = /^\/r\/([A-Za-z0-9_-]+)\/?$/;
const ROOM_LIKE_PATH = /^\/r\/[^/]*\/?$/;
const RECORDINGS_PATH = /^\/r\/([A-Za-z0-9_-]+)\/recordings\/?$/;
const MEETINGS_PATH = /^\/r\/([A-Za-z0-9_-]+)\/meetings\/?$/;
const TEAM_PATH = /^\/t\/([A-Za-z0-9_-]+)\/?$/;
const WATCH_PATH = /^\/watch\/([A-Za-z0-9_-]+)\/?$/;
const NAVIGATE_EVENT = 'parley:navigate';

const PAGE_NOT_FOUND: Route = { name: 'notFound', what: 'page' };
const MEETING_NOT_FOUND: Route = { name: 'notFound', what: 'meeting' };

export function parseRoute(pathname: string): Route {
  // `/index.html`: the shell's own file, which the service worker's fallback serves.
  if (pathname === '' || pathname === '/' || pathname === '/index.html') return { name: 'home' };
  if (pathname === '/signin' || pathname === '/signin/') return { name: 'signin' };
  if (pathname === '/signup' || pathname === '/signup/') return { name: 'signup' };
  if (pathname === '/forgot-password' || pathname === '/forgot-password/') {
    return { name: 'forgotPassword' };
  }
  if (pathname === '/reset-password' || pathname === '/reset-password/') {
    return { name: 'resetPassword' };
  }
  const room = idIn(ROOM_PATH, pathname);
  if (room !== undefined) return room ? { name: 'room', roomId: room } : MEETING_NOT_FOUND;
  const recordings = idIn(RECORDINGS_PATH, pathname);
  if (recordings !== undefined) {
    return recordings ? { name: 'recordings', roomId: recordings } : MEETING_NOT_FOUND;
  }
  const meetings = idIn(MEETINGS_PATH, pathname);
  if (meetings !== undefined) {
    return meetings ? { name: 'meetings', roomId: meetings } : MEETING_NOT_FOUND;
  }
  const team = idIn(TEAM_PATH, pathname);
  if (team) return { name: 'team', teamId: team };
  const watch = idIn(WATCH_PATH, pathname);
  if (watch) return { name: 'watch', broadcastId: watch };
  // A room link whose id has characters no id has (`/r/a%20b`) or none at all (`/r/`).
  return ROOM_LIKE_PATH.test(pathname) ? MEETING_NOT_FOUND : PAGE_NOT_FOUND;
}

/** The id a path carries: undefined when `path` does not match, null when its id is malformed. */
function idIn(path: RegExp, pathname: string): string | null | undefined {
  const id = path.exec(pathname)?.[1];
  if (id === undefined) return undefined;
  return ID_SHAPE.test(id) ? id : null;
}

/**
 * Client-side navigation through the history API (the server answers every page path).
 * `replace`: the current entry is replaced, so Back does not return to it (a page that only
 * passes the visitor on).
 */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}

/**
 * Reads a room id out of what a user pasted: a full link (`https://host/r/<id>`), a path, or a
 * bare id. Returns null when nothing id-like is found.
 */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim();
  if (text === '') return null;
  let path = text;
  try {
    path = new URL(text).pathname;
  } catch {
    // Not an absolute URL: a path or a bare id.
  }
  const fromPath = ROOM_PATH.exec(path) ?? WATCH_PATH.exec(path);
  if (fromPath?.[1]) return fromPath[1];
  return /^[A-Za-z0-9_-]{8,64}$/.test(text) ? text : null;
}

/**
 * Where a pasted link leads: a team's link (`/t/<id>`) to its page, anything else
 * `roomIdFromInput` reads to the room's. Null when nothing id-like is found.
 */
export function joinPathFromInput(input: string): string | null {
  const text = input.trim();
  let path = text;
  try {
    path = new URL(text).pathname;
  } catch {
    // Not an absolute URL: a path or a bare id.
  }
  const team = TEAM_PATH.exec(path);
  if (team?.[1]) return `/t/${team[1]}`;
  const id = roomIdFromInput(text);
  return id ? `/r/${id}` : null;
}
