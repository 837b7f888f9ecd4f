import { ERROR_CODES } from '@parley/protocol';
import type { MediaState } from '@parley/protocol';
import { applyScreenHint, captureScreen } from './media.ts';
import type { ScreenHint } from './media.ts';
import { RequestError } from '../session/RequestChannel.ts';
import type { RequestChannel } from '../session/RequestChannel.ts';
import type { CallSnapshot } from '../callState.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

export const SCREEN_REFUSED = 'Screen sharing is not allowed in this room: the host turned it off.';

export interface ScreenShareDeps {
  rpc: RequestChannel;
  /** Our media flags with `screen` as given. */
  media(screen: boolean): MediaState;
  /** Sends the share on the room's media paths (mesh links, SFU producer). */
  publish(stream: MediaStream): Promise<void>;
  unpublish(): Promise<void>;
  update(patch: Partial<CallSnapshot>): void;
  /** Re-announce our media flags (now without `screen`). */
  announce(): void;
}

/**
 * Our screen share: announced first (the server may refuse it: FORBIDDEN), then captured
 * (getDisplayMedia), then published. Stopping, from our button or from the browser's own
 * control (the track's `ended`), undoes all three. Refusals show in `screenNotice`.
 */
export class ScreenShare {
  private current: MediaStream | null = null;
  private busy = false;
  /** What is shared: a screen, or the whiteboard's canvas (presented on air). */
  private what: 'screen' | 'board' = 'screen';

  constructor(private readonly deps: ScreenShareDeps) {}

  get stream(): MediaStream | null {
    return this.current;
  }

  get sharing(): 'screen' | 'board' | null {
    return this.current ? this.what : null;
  }

  /** Shares a screen (the browser asks which), or what `capture` gives (the board's canvas). */
  async start(
    capture: () => Promise<MediaStream> = captureScreen,
    what = this.what,
  ): Promise<void> {
    if (this.current || this.busy) return;
    this.busy = true;
    this.what = what;
    this.deps.update({ screenNotice: null });
    try {
      await this.deps.rpc.request({ type: 'media', media: this.deps.media(true) });
      const stream = await capture();
      this.current = stream;
      this.deps.update({ sharing: true });
      stream
        .getVideoTracks()[0]
        ?.addEventListener('ended', () => background(this.stop(), 'stopping the screen share'));
      await this.deps.publish(stream);
    } catch (err) {
      const refused = err instanceof RequestError && err.code === ERROR_CODES.FORBIDDEN;
      await this.stop();
      this.deps.update({ screenNotice: refused ? SCREEN_REFUSED : failure(err) });
    } finally {
      this.busy = false;
    }
  }

  /** Idempotent. Always re-announces, so a share refused or cancelled half-way is undone. */
  async stop(): Promise<void> {
    const stream = this.current;
    this.current = null;
    this.deps.update({ sharing: false });
    this.deps.announce();
    if (!stream) return;
    stream.getTracks().forEach((t) => t.stop());
    await this.deps.unpublish().catch((err: unknown) => log.warn('unpublish screen', err));
  }

  /** Motion or detail, for the screen being shared now (not the board's canvas). */
  async setHint(hint: ScreenHint): Promise<void> {
    const track = this.what === 'screen' ? this.current?.getVideoTracks()[0] : undefined;
    if (track) await applyScreenHint(track, hint);
  }

  /** The server stopped or refused our share (the host turned sharing off). */
  refused(): void {
    background(this.stop(), 'stopping the screen share');
    this.deps.update({ screenNotice: SCREEN_REFUSED });
  }
}

function failure(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError') return 'Screen sharing was cancelled.';
  return `Screen sharing failed: ${err instanceof Error ? err.message : String(err)}`;
}
