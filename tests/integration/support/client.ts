import WebSocket from 'ws';
import { PROTOCOL_VERSION, parseServerMessage } from '@parley/protocol';
import type { ServerMessage } from '@parley/protocol';

type Predicate = (m: ServerMessage) => boolean;

/**
 * A protocol client for tests: records every server message (validated against the protocol
 * schema, so a server sending something off-contract fails the test) and waits for them.
 */
export class TestClient {
  readonly received: ServerMessage[] = [];
  readonly invalid: string[] = [];
  #waiters: { match: Predicate; resolve: (m: ServerMessage) => void }[] = [];
  #rid = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.#onMessage(data.toString()));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** `path`: `/ws` by default; `/ws?room=<id>` as the app opens it (cluster routing). */
  static async connect(
    baseUrl: string,
    options: WebSocket.ClientOptions = {},
    path = '/ws',
  ): Promise<TestClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  /** Connects and completes the `hello` handshake. */
  static async ready(baseUrl: string, path?: string): Promise<TestClient> {
    const client = await TestClient.connect(baseUrl, {}, path);
    await client.request({ type: 'hello', version: PROTOCOL_VERSION });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends with a fresh rid and resolves with the reply (or error) carrying it. */
  async request(message: Record<string, unknown>): Promise<ServerMessage> {
    const rid = ++this.#rid;
    const reply = this.next((m) => 'rid' in m && m.rid === rid);
    this.send({ ...message, rid });
    return reply;
  }

  async join(roomId: string, name: string, hostKey?: string) {
    const reply = await this.request({
      type: 'join',
      roomId,
      name,
      media: { audio: true, video: true },
      ...(hostKey ? { hostKey } : {}),
    });
    if (reply.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** The first message (already received or future) that matches. */
  next(match: Predicate, timeoutMs = 5000): Promise<ServerMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for a message')),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  #onMessage(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      this.invalid.push(text);
      return;
    }
    this.received.push(parsed.message);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(parsed.message)) return true;
      w.resolve(parsed.message);
      return false;
    });
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}
