import type { LocalMediaView } from '../call/callState.ts';
import type { MediaKind } from '../call/local/media.ts';
import { ariaKeys } from './shortcuts.ts';

interface Props {
  local: LocalMediaView;
  onToggle(kind: MediaKind): void;
}

/**
 * Mute/Unmute and Camera off/on; disabled when the device is missing. The label says what a
 * press does, so there is no `aria-pressed` as well: both read "Unmute, pressed" (issue 19).
 */
export function MediaButtons({ local, onToggle }: Props) {
  return (
    <>
      <button
        type="button"
        class={local.audioOn ? '' : 'off'}
        disabled={!local.hasAudio}
        aria-keyshortcuts={ariaKeys('mic')}
        onClick={() => onToggle('audio')}
      >
        {local.hasAudio && local.audioOn ? 'Mute' : 'Unmute'}
      </button>
      <button
        type="button"
        class={local.videoOn ? '' : 'off'}
        disabled={!local.hasVideo}
        aria-keyshortcuts={ariaKeys('camera')}
        onClick={() => onToggle('video')}
      >
        {local.hasVideo && local.videoOn ? 'Camera off' : 'Camera on'}
      </button>
    </>
  );
}
