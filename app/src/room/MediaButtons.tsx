import type { LocalMediaView } from '../call/callState.ts';
import type { MediaKind } from '../call/local/media.ts';

interface Props {
  local: LocalMediaView;
  onToggle(kind: MediaKind): void;
}

/** Mute/Unmute and Camera off/on; disabled when the device is missing. */
export function MediaButtons({ local, onToggle }: Props) {
  return (
    <>
      <button
        type="button"
        class={local.audioOn ? '' : 'off'}
        disabled={!local.hasAudio}
        aria-pressed={!local.audioOn}
        onClick={() => onToggle('audio')}
      >
        {local.hasAudio && local.audioOn ? 'Mute' : 'Unmute'}
      </button>
      <button
        type="button"
        class={local.videoOn ? '' : 'off'}
        disabled={!local.hasVideo}
        aria-pressed={!local.videoOn}
        onClick={() => onToggle('video')}
      >
        {local.hasVideo && local.videoOn ? 'Camera off' : 'Camera on'}
      </button>
    </>
  );
}
