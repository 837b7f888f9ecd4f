import { useEffect, useState } from 'preact/hooks';

/** A route the app knows; anything else renders the home page. */
export type Route =
  | { name: 'home' }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'room'; roomId: string }
  | { name: 'recordings'; roomId: string }
  | { name: 'team'; teamId: string }
  | { name: 'watch'; broadcastId: string };

const ROOM_PATH = /^\/r\/([A-Za-z0-9_-]+)\/?$/;
const RECORDINGS_PATH = /^\/r\/([A-Za-z0-9_-]+)\/recordings\/?$/;
const TEAM_PATH = /^\/t\/([A-Za-z0-9_-]+)\/?$/;
const WATCH_PATH = /^\/watch\/([A-Za-z0-9_-]+)\/?$/;
const NAVIGATE_EVENT = 'parley:navigate';

export function parseRoute(pathname: string): Route {
  if (pathname === '/signin' || pathname === '/signin/') return { name: 'signin' };
  if (pathname === '/signup' || pathname === '/signup/') return { name: 'signup' };
  const room = ROOM_PATH.exec(pathname);
  if (room?.[1]) return { name: 'room', roomId: room[1] };
  const recordings = RECORDINGS_PATH.exec(pathname);
  if (recordings?.[1]) return { name: 'recordings', roomId: recordings[1] };
  const team = TEAM_PATH.exec(pathname);
  if (team?.[1]) return { name: 'team', teamId: team[1] };
  const watch = WATCH_PATH.exec(pathname);
  if (watch?.[1]) return { name: 'watch', broadcastId: watch[1] };
  return { name: 'home' };
}

/** Client-side navigation through the history API (the server answers every page path). */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
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
