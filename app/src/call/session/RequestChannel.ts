import { isReply, isReplyTo } from '@parley/protocol';
import type {
  ReplyOf,
  RequestMessage,
  RequestOf,
  RequestType,
  ServerMessage,
} from '@parley/protocol';

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

const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  /** Resolves with `reply` when it is one the request may get; rejects with BAD_REPLY if not. */
  answer(reply: ServerMessage): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Request/reply over the signaling socket: each request gets a fresh `rid` (from the
 * controller's counter, shared with join and chat), and the reply or error carrying that rid
 * settles its promise. Which replies a request may get is the protocol's `REPLIES` table, so
 * `request({type: 'sfu-transport', ...})` resolves with an `sfu-transport-created`. A request
 * without a reply within the timeout rejects.
 */
export class RequestChannel {
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly send: (msg: RequestMessage) => boolean,
    private readonly nextRid: () => number,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  /** Sends `msg` with a fresh rid; its `rid`, if any, is replaced. */
  request<T extends RequestType>(msg: RequestOf<T>): Promise<ReplyOf<T>> {
    const rid = this.nextRid();
    const type: T = msg.type;
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new RequestError('TIMEOUT', `no reply to ${type} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const answer = (reply: ServerMessage) => {
        if (isReplyTo(type, reply)) resolve(reply);
        else reject(new RequestError('BAD_REPLY', `${type} answered with ${reply.type}`));
      };
      this.pending.set(rid, { answer, reject, timer });
      if (!this.send({ ...msg, rid })) {
        this.settle(rid);
        reject(new RequestError('OFFLINE', `could not send ${type}: not connected`));
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
    if (!isReply(msg)) return false;
    this.settle(rid);
    p.answer(msg);
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
