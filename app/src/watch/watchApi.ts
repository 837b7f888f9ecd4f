import type { BroadcastShowing, BroadcastStatus } from '@parley/protocol';

const VIEWER_ID_KEY = 'parley.viewerId';
/**
 * A request that has not answered by then is abandoned and counts as failed. Without a bound, a
 * connection stalled in a proxy would stop the page's polling for as long as the proxy waits
 * (a minute in deploy/haproxy.cfg), and a viewer would not learn that the broadcast ended.
 */
const REQUEST_TIMEOUT_MS = 8000;

/**
 * Adds a private room's viewer token (`/watch/<broadcastId>?t=<token>`) to a same-site URL as `t`; the
 * URL unchanged without one. Keeps any query the URL has.
 */
export function withToken(url: string, token: string | null): string {
  if (!token) return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const rest = hash < 0 ? '' : url.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}${rest}`;
}

/** The viewer token in the page's own URL (`?t=`), or null for a public broadcast. */
export function tokenFromUrl(search: string): string | null {
  return new URLSearchParams(search).get('t') || null;
}

/**
 * `GET /api/broadcasts/:id`: on air or not and the audience, or 'not-found' on 404 (no such
 * broadcast, or a private one without its token). Throws on network or server trouble.
 */
export async function fetchBroadcastStatus(
  broadcastId: string,
  token: string | null = null,
): Promise<BroadcastStatus | 'not-found'> {
  const url = withToken(`/api/broadcasts/${encodeURIComponent(broadcastId)}`, token);
  const res = await fetch(url, {
    cache: 'no-store',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status === 404) return 'not-found';
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body: unknown = await res.json();
  if (!isBroadcastStatus(body)) throw new Error('unexpected broadcast status');
  return body;
}

/** `POST /api/broadcasts/:id/viewers`: checks this tab in as a viewer; returns the count. */
export async function checkIn(
  broadcastId: string,
  viewerId: string,
  token: string | null = null,
): Promise<number> {
  const path = `/api/broadcasts/${encodeURIComponent(broadcastId)}/viewers`;
  const res = await fetch(withToken(path, token), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ viewerId }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { viewers?: unknown };
  if (typeof body.viewers !== 'number') throw new Error('unexpected viewer count');
  return body.viewers;
}

/**
 * True once the playlist lists a segment of a running broadcast. Before the first segment the
 * gateway answers 404 (hls.js does not retry a 4xx manifest), and a playlist that still carries
 * the previous broadcast's `#EXT-X-ENDLIST` would play as a recording.
 */
export async function playlistReady(url: string): Promise<boolean> {
  const res = await fetch(url, {
    cache: 'no-store',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) return false;
  const text = await res.text();
  // A master playlist (the ladder, issue 20) is written once every rendition has media.
  if (text.includes('#EXT-X-STREAM-INF')) return true;
  return text.includes('#EXTINF') && !text.includes('#EXT-X-ENDLIST');
}

/** One id per tab (sessionStorage), so a reload is not counted as a second viewer. */
export function viewerId(): string {
  try {
    const saved = sessionStorage.getItem(VIEWER_ID_KEY);
    if (saved) return saved;
  } catch {
    // Storage unavailable (private mode): a fresh id per page load is good enough.
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  try {
    sessionStorage.setItem(VIEWER_ID_KEY, id);
  } catch {
    // As above: not remembered.
  }
  return id;
}

function isBroadcastStatus(v: unknown): v is BroadcastStatus {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  // `recording`, `title` and `showing` came later: a server without them says nothing of them.
  if (r.recording === undefined) r.recording = false;
  r.title ??= null;
  r.showing ??= null;
  return (
    typeof r.live === 'boolean' &&
    typeof r.viewers === 'number' &&
    typeof r.recording === 'boolean' &&
    (r.title === null || typeof r.title === 'string') &&
    (r.showing === null || isShowing(r.showing))
  );
}

function isShowing(v: unknown): v is BroadcastShowing {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (s.source === 'camera' || s.source === 'screen') && typeof s.name === 'string';
}
