import type { BoardPresenter, ServerMessageOf } from '@parley/protocol';
import type { BoardLink, SlidesTicket } from '../../../board/api.ts';
import type { CallSnapshot } from '../../callState.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

export interface BoardChannelDeps {
  rpc: RequestChannel;
  update(patch: Partial<CallSnapshot>): void;
  snapshot(): CallSnapshot;
}

/**
 * The whiteboard's side of the call (issue 17), without the whiteboard: it carries the board's
 * sync messages (opaque base64) between the socket and the board chunk, which is loaded only
 * when the board opens, and keeps who presents. Yjs never enters the call's own bundle.
 */
export class BoardChannel implements BoardLink {
  readonly #data = new Set<(data: string) => void>();
  readonly #reconnect = new Set<() => void>();

  constructor(private readonly deps: BoardChannelDeps) {}

  // ---------- BoardLink ----------

  async send(data: string): Promise<void> {
    await this.deps.rpc.request({ type: 'board-sync', data });
  }

  onData(listener: (data: string) => void): () => void {
    this.#data.add(listener);
    return () => this.#data.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnect.add(listener);
    return () => this.#reconnect.delete(listener);
  }

  // ---------- the UI ----------

  /** Opens or closes the board in our stage (only ours). */
  setOpen(open: boolean): void {
    this.deps.update({ boardOpen: open });
  }

  /** Hosts and co-hosts: present the board on a page (everyone follows), or stop (null). */
  async present(pageId: string | null): Promise<void> {
    try {
      await this.deps.rpc.request({ type: 'board-present', pageId });
    } catch (err) {
      this.deps.update({ hostNotice: `Presenting the board did not work: ${message(err)}` });
    }
  }

  async ticket(): Promise<SlidesTicket> {
    const { ticket, expiresAt, upload } = await this.deps.rpc.request({ type: 'board-ticket' });
    return { ticket, expiresAt, upload };
  }

  // ---------- from the server ----------

  onSync(msg: ServerMessageOf<'board-sync'>): void {
    for (const listener of this.#data) listener(msg.data);
  }

  /** Someone started presenting (the board opens for everyone), moved page, or stopped. */
  onPresenting(presenter: BoardPresenter | null): void {
    const before = this.deps.snapshot().boardPresenter;
    const started = presenter !== null && before?.peerId !== presenter.peerId;
    this.deps.update({ boardPresenter: presenter, ...(started ? { boardOpen: true } : {}) });
  }

  /** A `joined` (fresh or resumed): who presents now, and the open board catches up. */
  joined(msg: ServerMessageOf<'joined'>): void {
    this.onPresenting(msg.boardPresenter ?? null);
    for (const listener of this.#reconnect) listener();
  }

  reset(): void {
    this.deps.update({ boardOpen: false, boardPresenter: null });
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
