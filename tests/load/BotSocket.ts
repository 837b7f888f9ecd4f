// A bot's WebSocket to the server: `/ws?room=<id>` as the app opens it, the `hello` handshake,
// typed requests (each reply type from protocol's REPLIES table) and typed pushes. Every
// server message is validated against the protocol schema: a bot only sends a few per second,
// and a server going off-contract should fail a load run, not confuse it.

import WebSocket from 'ws';
import { PROTOCOL_VERSION, isReplyTo, parseServerMessage } from '@parley/protocol';
import type {
  ClientMessageOf,
  ReplyOf,
  RequestOf,
  RequestType,
  ServerMessage,
} from '@parley/protocol';

/** The server refused a request (`error` with its rid); `code` is the protocol's. */
export class BotRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

type Outgoing<T extends RequestType> = Omit<RequestOf<T>, 'rid'> & { type: T };

export class BotSocket {
  #rid = 0;
  readonly #pending = new Map<number, (m: ServerMessage) => void>();
  /** Every message that answers no request, in order. */
  onPush: (message: ServerMessage) => void = () => undefined;
  /** The socket closed (by either side); `code` as the server sent it. */
  onClose: (code: number) => void = () => undefined;
  /** The server sent something off-contract (a load run counts it as a failure). */
  onInvalid: (what: string) => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.#receive(data.toString()));
    ws.on('close', (code) => {
      for (const waiter of this.#pending.values()) {
        waiter({ type: 'error', code: 'INTERNAL', message: `socket closed (${code})` });
      }
      this.#pending.clear();
      this.onClose(code);
    });
  }

  static async open(baseUrl: string, roomId: string, timeoutMs: number): Promise<BotSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws?room=${encodeURIComponent(roomId)}`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connect to ${url} timed out`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    // Later socket errors end in 'close', which fails whatever is pending.
    ws.on('error', () => undefined);
    const socket = new BotSocket(ws);
    await socket.request({ type: 'hello', version: PROTOCOL_VERSION }, timeoutMs);
    return socket;
  }

  /** Sends with a fresh rid; resolves with the reply, rejects on `error` or after `timeoutMs`. */
  request<T extends RequestType>(message: Outgoing<T>, timeoutMs = 20_000): Promise<ReplyOf<T>> {
    const rid = ++this.#rid;
    const type: T = message.type;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rid);
        reject(new Error(`${message.type} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(rid, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'error') reject(new BotRequestError(reply.code, reply.message));
        else if (isReplyTo(type, reply)) resolve(reply);
        else reject(new Error(`${message.type} answered by ${reply.type}`));
      });
      this.ws.send(JSON.stringify({ ...message, rid }));
    });
  }

  /** A message the server answers with nothing (a `signal`, relayed to another peer). */
  send(message: Omit<ClientMessageOf<'signal'>, 'rid'>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.terminate();
  }

  #receive(text: string): void {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      this.onInvalid(`${parsed.error}: ${text.slice(0, 200)}`);
      return;
    }
    const message = parsed.message;
    const rid = 'rid' in message ? message.rid : undefined;
    const waiter = rid === undefined ? undefined : this.#pending.get(rid);
    if (waiter && rid !== undefined) {
      this.#pending.delete(rid);
      waiter(message);
    } else {
      this.onPush(message);
    }
  }
}
