import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, ERROR_CODES, LIMITS } from '@parley/protocol';
import { Connection } from './connection.ts';
import type { ConnectionDeps } from './types.ts';
import { TrustedProxies, clientAddress } from '../util/clientAddress.ts';
import { OpenCounter } from '../util/limits.ts';
import type { Arrival } from './connection.ts';

interface Tracked {
  connection: Connection;
  alive: boolean;
}

/**
 * Same-origin pages, configured extra origins, and clients that send no Origin at all
 * (non-browser tools, which could forge it anyway) may connect. This stops other web pages
 * from driving a visitor's browser into our WebSocket (cross-site WebSocket hijacking).
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.host === req.headers.host || allowed.includes(url.origin);
}

/** The `/ws` endpoint: upgrade checks, one Connection per socket, and the heartbeat. */
export class SignalingSocketServer {
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  readonly #sockets = new Map<WebSocket, Tracked>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #trusted: TrustedProxies;
  /** Open sockets per client address (WS_MAX_PER_ADDRESS), counted from the upgrade on. */
  readonly #perAddress: OpenCounter;
  /** Guest cookies minted for upgrades in progress: they go on the 101 response. */
  readonly #newGuests = new WeakMap<IncomingMessage, string>();

  constructor(private readonly deps: ConnectionDeps) {
    this.#trusted = new TrustedProxies(deps.config.limits.trustProxy);
    this.#perAddress = new OpenCounter(deps.config.limits.wsPerAddress);
    this.#wss.on('headers', (headers, req) => {
      const setCookie = this.#newGuests.get(req);
      if (setCookie) headers.push(`Set-Cookie: ${setCookie}`);
    });
    this.#heartbeat = setInterval(() => this.#beat(), deps.config.heartbeatMs);
    this.#heartbeat.unref();
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws') return reject(socket, 404, 'Not Found');
    if (!originAllowed(req, this.deps.config.allowedOrigins)) {
      return reject(socket, 403, 'Forbidden');
    }
    const remote = clientAddress(req, this.#trusted);
    if (!this.#perAddress.tryOpen(remote)) return this.#tooMany(socket);
    // The TCP socket closes however the upgrade ends (refused, failed, or the WebSocket closed).
    socket.once('close', () => this.#perAddress.close(remote));
    // Who the server says this browser is (a new guest when it brings no valid cookie).
    const guest = this.deps.guests.atUpgrade(req);
    if (guest.setCookie) this.#newGuests.set(req, guest.setCookie);
    const arrival: Arrival = {
      remote,
      guestId: guest.pass.id,
      guestSince: guest.pass.issuedAt,
      network: this.deps.guests.network(remote),
    };
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, arrival));
  }

  #accept(ws: WebSocket, arrival: Arrival): void {
    const connection = new Connection(ws, this.deps, arrival);
    const tracked: Tracked = { connection, alive: true };
    this.#sockets.set(ws, tracked);
    ws.on('message', (data, isBinary) => {
      tracked.alive = true;
      try {
        connection.receive(toBuffer(data), isBinary);
      } catch (error) {
        // receive() never throws by design; if a bug makes it, one socket goes, not the server.
        this.deps.log.error('receive failed', { error: String(error) });
        ws.terminate();
      }
    });
    ws.on('pong', () => (tracked.alive = true));
    // ws emits 'error' for protocol violations (bad UTF-8, oversize frame) and then closes.
    ws.on('error', (error) => this.deps.log.info('socket error', { error: error.message }));
    ws.on('close', (code) => {
      this.#sockets.delete(ws);
      connection.closed(code);
    });
  }

  /** 429 at the upgrade: this address has WS_MAX_PER_ADDRESS sockets open already. */
  #tooMany(socket: Duplex): void {
    this.deps.metrics.limitHits.inc({ limit: 'ws_connections' });
    const body = JSON.stringify({
      error: { code: ERROR_CODES.LIMIT_REACHED, message: 'too many connections from your address' },
    });
    socket.end(
      'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 10\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  /**
   * A socket that answered nothing since the last beat is dead: terminate it. One whose send
   * buffer has stayed full while nothing new was sent to it is caught here too.
   */
  #beat(): void {
    for (const [ws, tracked] of this.#sockets) {
      if (!tracked.alive) {
        ws.terminate();
        continue;
      }
      tracked.connection.checkBuffer();
      tracked.alive = false;
      ws.ping();
    }
  }

  /** Closes every socket with 1001 (going away) and waits until they are gone. */
  async close(deadlineMs = 3000): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const ws of this.#sockets.keys()) ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    const end = Date.now() + deadlineMs;
    while (this.#sockets.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.#sockets.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
