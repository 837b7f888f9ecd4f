import type { ClientMessage, ServerMessage, ServerMessageOf } from '@parley/protocol';

/**
 * Server replies that answer a request by its `rid` (the SFU requests, a media announce, the
 * host controls and settings).
 */
export type ReplyType =
  | 'sfu-transport-created'
  | 'sfu-produced'
  | 'sfu-consumer'
  | 'sfu-ok'
  | 'media-ok'
  | 'broadcast-state'
  | 'ice-servers'
  | 'sfu-ice-restarted'
  | 'settings'
  | 'ok';
type Reply = ServerMessageOf<ReplyType>;
type Outgoing = ClientMessage & { rid?: number };

/** A refused request: the server's error code and message. */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REPLY_TYPES: ReadonlySet<string> = new Set<ReplyType>([
  'sfu-transport-created',
  'sfu-produced',
  'sfu-consumer',
  'sfu-ok',
  'media-ok',
  'broadcast-state',
  'ice-servers',
  'sfu-ice-restarted',
  'settings',
  'ok',
]);

const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  expect: ReplyType;
  resolve(reply: Reply): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Request/reply over the signaling socket: each request gets a fresh `rid` (from the
 * controller's counter, shared with join and chat), and the reply or error carrying that rid
 * settles its promise. A request without a reply within the timeout rejects.
 */
export class RequestChannel {
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly nextRid: () => number,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  request<T extends ReplyType>(msg: Outgoing, expect: T): Promise<ServerMessageOf<T>> {
    const rid = this.nextRid();
    return new Promise<ServerMessageOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new RequestError('TIMEOUT', `no reply to ${msg.type} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(rid, {
        expect,
        resolve: resolve as (reply: Reply) => void,
        reject,
        timer,
      });
      if (!this.send({ ...msg, rid } as ClientMessage)) {
        this.settle(rid);
        reject(new RequestError('OFFLINE', `could not send ${msg.type}: not connected`));
      }
    });
  }

  /** Settles the matching request; true when the message was a reply to one of ours. */
  onMessage(msg: ServerMessage): boolean {
    const rid = 'rid' in msg ? msg.rid : undefined;
    if (rid === undefined) return false;
    const p = this.pending.get(rid);
    if (!p) return false;
    if (msg.type === 'error') {
      this.settle(rid);
      p.reject(new RequestError(msg.code, msg.message));
      return true;
    }
    if (!REPLY_TYPES.has(msg.type)) return false;
    this.settle(rid);
    if (msg.type === p.expect) p.resolve(msg as Reply);
    else p.reject(new RequestError('BAD_REPLY', `expected ${p.expect}, got ${msg.type}`));
    return true;
  }

  /** Rejects everything in flight (the socket went away or the session closed). */
  rejectAll(reason: string): void {
    for (const [rid, p] of [...this.pending]) {
      this.settle(rid);
      p.reject(new RequestError('CLOSED', reason));
    }
  }

  private settle(rid: number): void {
    const p = this.pending.get(rid);
    if (p) clearTimeout(p.timer);
    this.pending.delete(rid);
  }
}
