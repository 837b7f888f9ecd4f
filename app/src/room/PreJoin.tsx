import { useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { safeGet, safeSet } from '../api.ts';
import { Video } from './Video.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { DevicePickers } from './DevicePickers.tsx';

const NAME_KEY = 'parley.name';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
  online: boolean;
}

export function PreJoin({ controller, snap, online }: Props) {
  const [name, setName] = useState(() => safeGet(NAME_KEY) ?? '');
  const joining = snap.phase === 'joining';
  const canJoin = name.trim() !== '' && snap.previewReady && !joining && online;

  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!canJoin) return;
    safeSet(NAME_KEY, name.trim());
    void controller.join(name);
  };

  return (
    <section class="prejoin" aria-label="Before you join">
      <div class="preview">
        {snap.local.hasVideo ? (
          <Video
            stream={controller.localStream()}
            self
            label="Your preview video"
            epoch={snap.streamEpoch}
          />
        ) : (
          <div class="video placeholder">
            {snap.previewReady ? 'No camera' : 'Starting camera…'}
          </div>
        )}
      </div>
      {snap.mediaProblem && (
        <p class="warning" role="alert">
          {snap.mediaProblem}
        </p>
      )}
      <form class="prejoin-form" onSubmit={onSubmit}>
        <div class="field">
          <label for="your-name">Your name</label>
          <input
            id="your-name"
            type="text"
            autoComplete="nickname"
            maxLength={LIMITS.NAME_MAX}
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="row">
          <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        </div>
        <DevicePickers snap={snap} onSelect={(k, id) => void controller.selectDevice(k, id)} />
        <button type="submit" class="primary big" disabled={!canJoin}>
          {joining ? 'Joining…' : 'Join'}
        </button>
      </form>
    </section>
  );
}
