// The playback engine's interface, apart from player.ts so that the engines (loaded lazily by
// choosePlayer) and player.ts do not import each other.

/** What the watch controller needs from a playback engine (hls.js or the browser's own HLS). */
export interface Player {
  /** Seconds behind the live edge and the distance the player aims for, once known. */
  latency(): { behindS: number; targetS: number } | null;
  /** Seeks to the live sync point (the edge minus the target distance). */
  jumpToLive(): void;
  /**
   * Plays one rendition (by its height) from now on, or lets the player choose by bandwidth
   * (`'auto'`). The browser's own HLS chooses by itself: a no-op there.
   */
  setQuality(quality: Quality): void;
  destroy(): void;
}

/** A viewer's quality choice: the player's own (ABR) or a rendition's height in lines. */
export type Quality = 'auto' | number;

export interface PlayerEvents {
  /** Every segment up to `#EXT-X-ENDLIST` is buffered: the broadcast is over once they play. */
  endOfStream(): void;
  /** A fatal error that the player is recovering from on its own (worth telling the viewer). */
  trouble(message: string): void;
  /** The player gave up; the controller decides whether to rebuild it or end. */
  failed(reason: string): void;
  /**
   * The renditions the stream offers (heights, highest first) and the one playing now, when
   * the manifest is read and at each switch. Never called by the browser's own HLS.
   */
  levels(heights: readonly number[], playing: number | null): void;
}

export type PlayerFactory = (video: HTMLVideoElement, url: string, events: PlayerEvents) => Player;
