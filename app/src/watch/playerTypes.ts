// The playback engine's interface, apart from player.ts so that the engines (loaded lazily by
// choosePlayer) and player.ts do not import each other.

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
