import type { BoardPresenter } from '@parley/protocol';

/**
 * What the whiteboard (a lazily loaded chunk: Yjs, perfect-freehand, pdf.js) needs of the
 * call, and nothing more. The call's own code never imports Yjs; it only carries the board's
 * sync messages, base64 strings, between this link and the socket.
 */
export interface BoardLink {
  /** Sends one y-protocols sync message (base64); resolves on the server's `ok`, rejects on an error. */
  send(data: string): Promise<void>;
  /** Every `board-sync` the server pushes, in order; returns the unsubscribe. */
  onData(listener: (data: string) => void): () => void;
  /**
   * Called after the socket came back (a resume or a rejoin): the board sends a fresh step 1,
   * so it catches up with what it missed. Returns the unsubscribe.
   */
  onReconnect(listener: () => void): () => void;
}

/** A ticket for the slides' HTTP routes (`board-ticket`). */
export interface SlidesTicket {
  ticket: string;
  expiresAt: number;
  upload: boolean;
}

export interface WhiteboardProps {
  roomId: string;
  link: BoardLink;
  /** This member may change the board (hosts and co-hosts, guests while the room allows it). */
  canDraw: boolean;
  /** Host or co-host: may present, and upload slides. */
  moderator: boolean;
  /** Who presents and on which page; null: nobody. */
  presenter: BoardPresenter | null;
  /** Our own peer id (to know we are the presenter). */
  selfId: string | null;
  /** Moderators: present the board on this page (null: stop presenting). */
  onPresent(pageId: string | null): void;
  /** A ticket for the slides routes. */
  ticket(): Promise<SlidesTicket>;
  /** The board's canvas appeared (or went): the call captures it for the broadcast. */
  onCanvas?(canvas: HTMLCanvasElement | null): void;
  onClose(): void;
}
