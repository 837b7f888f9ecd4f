import type { PlayerFactory } from './playerTypes.ts';

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
