// A lean protocol client for load generation: raw `ws`, JSON.parse only (the integration
// TestClient validates every message against the schema, which would make the load generator
// the bottleneck at thousands of clients).

import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@parley/protocol';

export type Message = Record<string, unknown> & { type: string };

export class LoadClient {
  #rid = 0;
  readonly #pending = new Map<number, (m: Message) => void>();
  /** Called for every message that answers no request. */
  onPush: (message: Message) => void = () => undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.#receive(data.toString()));
  }

  /**
   * Opens `/ws` and completes the `hello` handshake. `room` opens `/ws?room=<id>` as the app
   * does, which a cluster node needs to pass the socket to the room's owner (issue 13).
   */
  static async ready(baseUrl: string, timeoutMs = 20_000, room?: string): Promise<LoadClient> {
    const query = room === undefined ? '' : `?room=${encodeURIComponent(room)}`;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`, {
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    ws.on('error', () => undefined);
    const client = new LoadClient(ws);
    await client.request({ type: 'hello', version: PROTOCOL_VERSION }, timeoutMs);
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends with a fresh rid; resolves with the reply, rejects on an `error` or a timeout. */
  request(message: Record<string, unknown>, timeoutMs = 20_000): Promise<Message> {
    const rid = ++this.#rid;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rid);
        reject(new Error(`${String(message.type)} timed out`));
      }, timeoutMs);
      this.#pending.set(rid, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'error')
          reject(new Error(`${String(reply.code)}: ${String(reply.message)}`));
        else resolve(reply);
      });
      this.send({ ...message, rid });
    });
  }

  join(roomId: string, name: string): Promise<Message> {
    return this.request({ type: 'join', roomId, name, media: { audio: true, video: true } });
  }

  /**
   * Leaves the room, then closes. A socket that only drops keeps its seat for the resume
   * window (30 s), and the room with it.
   */
  async leave(timeoutMs = 5_000): Promise<void> {
    try {
      await this.request({ type: 'leave' }, timeoutMs);
    } finally {
      this.close();
    }
  }

  close(): void {
    this.ws.terminate();
  }

  #receive(text: string): void {
    const message = JSON.parse(text) as Message;
    const rid = message.rid;
    const waiter = typeof rid === 'number' ? this.#pending.get(rid) : undefined;
    if (waiter && typeof rid === 'number') {
      this.#pending.delete(rid);
      waiter(message);
    } else {
      this.onPush(message);
    }
  }
}

/**
 * The body every benchmark room is created with: the waiting room is on by default (issue #6),
 * and a benchmark measures admission, not a host clicking Admit.
 */
const BENCH_ROOM_BODY = JSON.stringify({ settings: { waitingRoom: false } });

/** `POST /api/rooms` without a waiting room; returns the id and the host key. */
export async function createRoom(baseUrl: string): Promise<{ id: string; hostKey: string }> {
  const res = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BENCH_ROOM_BODY,
  });
  if (res.status !== 201) throw new Error(`create room: HTTP ${res.status}`);
  return (await res.json()) as { id: string; hostKey: string };
}

/** Creates `count` rooms through the REST API (waiting room off). */
export async function createRooms(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createRoom(baseUrl)).id);
  return ids;
}

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` in flight. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
