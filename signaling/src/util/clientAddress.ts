import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The proxies whose `X-Forwarded-For` we believe (TRUST_PROXY: addresses and CIDRs). Empty by
 * default: without a proxy in front, the header is whatever the client chose to send, and
 * believing it would let anyone dodge every per-address limit by writing a new one each time.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  /** `entries`: already validated at start (config/limits.ts). */
  constructor(entries: readonly string[] = []) {
    this.#empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, Number(prefix), family);
    }
  }

  trusts(address: string): boolean {
    if (this.#empty) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * Checks TRUST_PROXY's entries: each an IPv4 or IPv6 address, or a CIDR (`10.0.0.0/8`).
 * Returns an error message naming the bad entry, or undefined when all are fine.
 */
export function trustProxyError(entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const badPrefix = prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max);
    if (family === 0 || badPrefix || extra !== undefined) {
      return `TRUST_PROXY entries must be IP addresses or CIDRs (10.0.0.0/8), got "${entry}"`;
    }
  }
  return undefined;
}

/**
 * The address a request came from, for per-address limits. The socket's peer, unless that
 * peer is a trusted proxy: then `X-Forwarded-For` is read from the right (the hop our proxy
 * appended) leftwards, past further trusted proxies, and the first address not trusted is the
 * client. Whatever a client writes at the left of the header is never reached while a trusted
 * proxy appended the real address after it, so a forged header changes nothing.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  let address = unmapped(req.socket.remoteAddress ?? 'unknown');
  if (!trusted.trusts(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => unmapped(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (isIP(hop) === 0) return address; // garbage from here on: the last good hop is the client
    address = hop;
    if (!trusted.trusts(hop)) return hop;
  }
  return address;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
