// The headers every response carries (issue 14): what the browser may load, run, embed and
// send, whatever page of ours it is showing.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * The app's Content-Security-Policy: only our own scripts (the built app has no inline script),
 * styles and images; media and workers also from `blob:` (hls.js feeds the <video> through
 * MediaSource object URLs and may run its transmuxer in a blob worker); the service worker
 * and manifest from us; `fetch` and the WebSocket to our own origin only. No plugin, no
 * `<base>` elsewhere, forms only to us, and no framing anywhere (clickjacking a "Go live" or a
 * camera prompt). WebRTC itself (STUN/TURN, media) is not governed by CSP.
 */
function contentSecurityPolicy(host: string | undefined): string {
  // 'self' covers ws(s) to our own origin in current browsers (CSP 3); older ones need the
  // explicit scheme. The Host header is only echoed when it is a plain host[:port].
  const sockets =
    host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
      ? ` ws://${host} wss://${host}`
      : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Camera, microphone and screen capture for our own pages only; nothing else we never use. */
const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'fullscreen=(self)',
  'geolocation=()',
  'payment=()',
  'usb=()',
].join(', ');

/** Six months: long enough to matter, short enough to undo a mistaken TLS set-up. */
const HSTS = 'max-age=15552000';

/**
 * True when the browser reached us over TLS: our own socket is TLS, or a proxy we trust
 * (TRUST_PROXY) terminated it and says so with `X-Forwarded-Proto: https`. A header from
 * anyone else is ignored: HSTS must not be switched on by a client.
 */
export function servedOverTls(
  req: IncomingMessage,
  trustsProxy: (address: string) => boolean,
): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' && trustsProxy(req.socket.remoteAddress ?? '');
}

/** Every response's security headers; HSTS only when the browser came over TLS. */
export function securityHeaders(req: IncomingMessage, overTls: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(req.headers.host),
    'X-Content-Type-Options': 'nosniff',
    // Room links are the keys to rooms: never leak them to other sites in Referer.
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': PERMISSIONS_POLICY,
    // frame-ancestors for browsers without CSP 2.
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(overTls ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}
