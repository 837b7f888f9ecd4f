import { CLOSE_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientMessage, ServerMessage } from '@parley/protocol';
import { log } from '../../log.ts';

/** What the owner of a SignalingClient hears. */
export interface SignalingEvents {
  /** The handshake finished (first time or after a reconnect): the socket is ready for `join`. */
  ready(): void;
  message(msg: ServerMessage): void;
  /** The socket went away; `willRetry` says whether a reconnect is scheduled. */
  down(reason: string, willRetry: boolean): void;
}

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 8000;
const DEFAULT_HEARTBEAT_MS = 10_000;

/**
 * Exponential backoff with jitter: between half and all of base * 2^attempt (capped), so
 * the tabs of a room that lost the server together do not all come back in the same instant.
 */
export function retryDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random / 2));
}

/** The WebSocket endpoint on the page's own host. */
/**
 * The signaling socket's URL. `room` tells a cluster which room the socket is for, so the
 * node that takes the connection can pass it to the node that holds the room.
 */
export function defaultSocketUrl(room?: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = room === undefined ? '' : `?room=${encodeURIComponent(room)}`;
  return `${scheme}//${location.host}/ws${query}`;
}

/**
 * One logical connection to the signaling server: WebSocket, `hello` handshake, ping/pong
 * liveness and reconnection with backoff. It knows nothing about rooms: after each `ready` the
 * owner (re)joins. Server messages are typed by the protocol; the server validated its own
 * output, so the client does not re-parse with zod (keeping zod out of the bundle).
 */
export class SignalingClient {
  private ws: WebSocket | null = null;
  private closed = false;
  private attempt = 0;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private lastHeard = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The network came back: do not sit out the backoff. */
  private readonly onOnline = () => {
    if (this.closed || this.ws || this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.connect();
  };

  constructor(
    private readonly events: SignalingEvents,
    private readonly url: string = defaultSocketUrl(),
  ) {
    window.addEventListener('online', this.onOnline);
  }

  connect(): void {
    this.retryTimer = undefined;
    if (this.closed || this.ws) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => this.send({ type: 'hello', version: PROTOCOL_VERSION });
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onclose = (ev) => this.onSocketClosed(ws, ev.code, ev.reason);
    // An error is always followed by close, which does the bookkeeping.
    ws.onerror = () => undefined;
  }

  /** Sends when the socket is open; returns false when the message could not be sent. */
  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /**
   * Drops the socket as a network failure would (no `leave`; a reconnect follows). For the
   * debug hook (browsers cannot cut a TCP connection, so this closes it and moves on at once),
   * and for a cluster that says the room moved (the new socket reaches the room's node).
   */
  dropSocket(): void {
    const ws = this.ws;
    if (!ws) return;
    ws.close(4999, 'dropped');
    this.onSocketClosed(ws, 4999, 'dropped');
  }

  /** Idempotent; no reconnect follows. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    ws?.close(CLOSE_CODES.NORMAL, 'bye');
  }

  private onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      log.warn('signaling: ignoring a frame that is not JSON');
      return;
    }
    this.lastHeard = Date.now();
    if (msg.type === 'welcome') {
      this.attempt = 0;
      this.heartbeatMs = msg.heartbeatMs > 0 ? msg.heartbeatMs : DEFAULT_HEARTBEAT_MS;
      this.startHeartbeat();
      this.events.ready();
      return;
    }
    if (msg.type === 'pong') return;
    this.events.message(msg);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > 2 * this.heartbeatMs) {
        // Silent for two periods: the socket is dead even if the browser has not noticed.
        this.ws?.close(4999, 'heartbeat timeout');
        if (this.ws) this.onSocketClosed(this.ws, 4999, 'heartbeat timeout');
        return;
      }
      this.send({ type: 'ping' });
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private onSocketClosed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopHeartbeat();
    if (this.closed) return;
    if (code === CLOSE_CODES.UNSUPPORTED_VERSION) {
      this.closed = true;
      this.events.down('This app is out of date: reload the page to update it.', false);
      return;
    }
    if (code === CLOSE_CODES.REPLACED) {
      this.closed = true;
      this.events.down('This call continues in another tab or window.', false);
      return;
    }
    const delay = retryDelay(this.attempt);
    this.attempt += 1;
    this.events.down(reason || `connection lost (code ${code})`, true);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
