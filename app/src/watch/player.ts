/** What the watch controller needs from a playback engine (hls.js or the browser's own HLS). */
export interface Player {
  /** Seconds behind the live edge and the distance the player aims for, once known. */
  latency(): { behindS: number; targetS: number } | null;
  /** Seeks to the live sync point (the edge minus the target distance). */
  jumpToLive(): void;
  destroy(): void;
}

export interface PlayerEvents {
  /** Every segment up to `#EXT-X-ENDLIST` is buffered: the broadcast is over once they play. */
  endOfStream(): void;
  /** A fatal error that the player is recovering from on its own (worth telling the viewer). */
  trouble(message: string): void;
  /** The player gave up; the controller decides whether to rebuild it or end. */
  failed(reason: string): void;
}

export type PlayerFactory = (video: HTMLVideoElement, url: string, events: PlayerEvents) => Player;

const HLS_MIME = 'application/vnd.apple.mpegurl';

/**
 * Picks the engine: hls.js wherever Media Source Extensions exist (it gives us latency control
 * and error recovery), the browser's own HLS where they do not (iPhone Safari before 17.1).
 * hls.js is imported only here, so it is a chunk of its own that native players never fetch.
 * Resolves null when this browser can play neither.
 */
export async function choosePlayer(video: HTMLVideoElement): Promise<PlayerFactory | null> {
  const hasMse = 'MediaSource' in window || 'ManagedMediaSource' in window;
  const native = video.canPlayType(HLS_MIME) !== '';
  if (hasMse) {
    const [mod, { createHlsJsPlayer }] = await Promise.all([
      import('hls.js/light'),
      import('./hlsJsPlayer.ts'),
    ]);
    if (mod.default.isSupported()) {
      return (v, url, events) => createHlsJsPlayer(mod, v, url, events);
    }
  }
  if (!native) return null;
  const { createNativePlayer } = await import('./nativePlayer.ts');
  return createNativePlayer;
}
