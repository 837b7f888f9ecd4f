import type { IceServer } from '@parley/protocol';
import type { RequestChannel } from './RequestChannel.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

/** Ask for fresh TURN credentials this long before the current ones expire. */
const REFRESH_MARGIN_MS = 30_000;
/** Never refresh more often than this, whatever the expiry says (a clock far off, a tiny TTL). */
const MIN_REFRESH_MS = 5_000;

/**
 * The expiry (ms since the epoch) of the TURN credentials in `servers`: TURN REST usernames
 * are `<expiry-unix-seconds>:<user>` (draft-uberti-behave-turn-rest-00). The earliest one
 * wins; undefined when there is no TURN entry with such a username.
 */
export function turnExpiry(servers: readonly IceServer[]): number | undefined {
  let earliest: number | undefined;
  for (const s of servers) {
    const match = /^(\d+):/.exec(s.username ?? '');
    if (!match?.[1]) continue;
    const ms = Number(match[1]) * 1000;
    earliest = earliest === undefined ? ms : Math.min(earliest, ms);
  }
  return earliest;
}

/** How long to wait before refreshing credentials that expire at `expiry` (ms epoch). */
export function refreshDelay(expiry: number, now: number): number {
  return Math.max(MIN_REFRESH_MS, expiry - now - REFRESH_MARGIN_MS);
}

type Listener = (servers: RTCIceServer[]) => void;

/**
 * The ICE servers and transport policy of this membership. TURN credentials expire
 * (`TURN_TTL_S`): shortly before they do, and before any ICE restart or link rebuild, it asks
 * the server (`ice-refresh` -> `ice-servers`) and hands the new list to every listener (mesh
 * links, SFU transports), so a connection that must gather candidates again can authenticate.
 */
export class IceCredentials {
  private list: RTCIceServer[] = [];
  private transportPolicy: RTCIceTransportPolicy = 'all';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<RTCIceServer[]> | undefined;
  private readonly listeners = new Set<Listener>();
  /** `ice-refresh` requests sent so far (for the debug hook). */
  refreshes = 0;

  constructor(private readonly rpc: RequestChannel) {}

  get servers(): RTCIceServer[] {
    return this.list;
  }

  get policy(): RTCIceTransportPolicy {
    return this.transportPolicy;
  }

  /** What an RTCPeerConnection (or a mediasoup transport) should be created with now. */
  config(): RTCConfiguration {
    return { iceServers: this.list, iceTransportPolicy: this.transportPolicy };
  }

  /** New servers from `joined` (or `ice-servers`): keep them, tell listeners, plan a refresh. */
  set(servers: IceServer[], policy?: RTCIceTransportPolicy): void {
    if (policy) this.transportPolicy = policy;
    this.list = servers.map((s) => ({ ...s }));
    for (const fn of this.listeners) fn(this.list);
    this.schedule();
  }

  /** Listens for new servers; returns the unsubscribe function. */
  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Fresh credentials from the server (one request at a time). When the socket is down the
   * current ones are kept: a rebuild with them is better than none.
   */
  refresh(): Promise<RTCIceServer[]> {
    this.inflight ??= (async () => {
      try {
        this.refreshes += 1;
        const reply = await this.rpc.request({ type: 'ice-refresh' });
        this.set(reply.iceServers);
      } catch (err) {
        log.warn('ice: could not refresh the TURN credentials', err);
        this.schedule(MIN_REFRESH_MS);
      } finally {
        this.inflight = undefined;
      }
      return this.list;
    })();
    return this.inflight;
  }

  /** Idempotent: stops the refresh timer and forgets the listeners. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(delay?: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const expiry = turnExpiry(this.list);
    if (expiry === undefined) return;
    this.timer = setTimeout(
      () => background(this.refresh(), 'ice: TURN credentials refresh'),
      delay ?? refreshDelay(expiry, Date.now()),
    );
  }
}
