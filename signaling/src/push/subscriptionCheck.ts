import { createECDH } from 'node:crypto';
import { isIP } from 'node:net';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The push services browsers subscribe with (PUSH_SERVICES replaces the list): Chrome, Edge,
 * Opera and Brave use Google's FCM, Firefox Mozilla's autopush, Safari Apple's, and older Edge
 * Microsoft's WNS. An entry starting with a dot takes that domain's hosts.
 */
export const PUSH_SERVICES: readonly string[] = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  'web.push.apple.com',
  '.push.apple.com',
  '.notify.windows.com',
];

function isPushService(host: string, services: readonly string[]): boolean {
  return services.some((s) => (s.startsWith('.') ? host.endsWith(s) : host === s));
}

/**
 * Why the server will not POST to this push endpoint, or undefined when it will. Our server sends
 * to whatever URL a signed-in user registers, so only https:// to a known push service is taken
 * (`services`): never plain http (the payload is encrypted, but the VAPID token is not), never
 * an address literal or another host (a way to aim our requests at machines on our own
 * network, or anywhere else). `httpLoopback` (PUSH_HTTP_LOOPBACK=on) admits http:// on a
 * loopback address for a test's push service.
 */
export function endpointError(
  raw: string,
  httpLoopback: boolean,
  services: readonly string[] = PUSH_SERVICES,
): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'endpoint must be a URL';
  }
  if (url.username || url.password || url.hash) {
    return 'endpoint must not carry credentials or a #fragment';
  }
  if (url.protocol === 'http:' && httpLoopback && LOOPBACK.test(url.hostname)) return undefined;
  if (url.protocol !== 'https:') return 'endpoint must be an https:// URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 || host === 'localhost' || !host.includes('.')) {
    return "endpoint must name a push service's host, not an address";
  }
  if (!isPushService(host.toLowerCase(), services)) {
    return `endpoint must be at a known push service (${services.join(', ')}), not ${host}`;
  }
  return undefined;
}

/**
 * Whether `p256dh` (base64url) is a point on P-256, so a bad key is refused when the device
 * registers rather than at every reminder (the shape was checked by the protocol schema).
 */
export function isP256Point(p256dh: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(Buffer.from(p256dh, 'base64url'));
    return true;
  } catch {
    return false;
  }
}
