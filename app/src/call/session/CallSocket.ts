import type { ClientMessage } from '@parley/protocol';
import { SignalingClient } from './SignalingClient.ts';
import type { SignalingEvents } from './SignalingClient.ts';
import { dropWarmTransport } from '../topology/sfu/warmTransport.ts';

export interface CallSocketEvents extends SignalingEvents {
  /** The tab is closing: release the seat at once (a best-effort `leave`), not after the window. */
  pageHide(): void;
}

/**
 * A call's signaling socket, opened on the pre-join screen already: Join then costs no
 * handshake, and in a room on the SFU the socket warms up a receive transport meanwhile
 * (warmTransport.ts), which closing it drops. While it is open, closing the tab leaves.
 */
export class CallSocket {
  #client: SignalingClient | null = null;
  #greeted = false;
  readonly #onPageHide = () => this.events.pageHide();

  constructor(private readonly events: CallSocketEvents) {}

  get isOpen(): boolean {
    return this.#client !== null;
  }

  /** The socket has finished its handshake (`welcome`): a join can go out at once. */
  get greeted(): boolean {
    return this.#greeted;
  }

  /** Opens it, unless it is open (an open one reconnects by itself after a drop). */
  open(url: string): void {
    if (this.#client) return;
    window.addEventListener('pagehide', this.#onPageHide);
    this.#greeted = false;
    this.#client = new SignalingClient(
      {
        ready: () => {
          this.#greeted = true;
          this.events.ready();
        },
        message: (msg) => this.events.message(msg),
        down: (reason, willRetry) => {
          this.#greeted = false;
          this.events.down(reason, willRetry);
        },
      },
      url,
    );
    this.#client.connect();
  }

  close(): void {
    window.removeEventListener('pagehide', this.#onPageHide);
    this.#client?.close();
    this.#client = null;
    this.#greeted = false;
    dropWarmTransport();
  }

  send(msg: ClientMessage): boolean {
    return this.#client?.send(msg) ?? false;
  }

  /** The socket drops as on a network failure (no leave), and reconnects. */
  dropSocket(): void {
    this.#client?.dropSocket();
  }

  /** Whether the handshake is done within `timeoutMs`; false at once when `gaveUp()`. */
  async greetedWithin(timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#greeted) {
      if (Date.now() > deadline || gaveUp()) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }
}
