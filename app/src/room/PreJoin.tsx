import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { loadHostKey, loadRoomPassword, saveName, savedName } from '../api.ts';
import { navigate } from '../router.ts';
import { useSession } from '../auth/useSession.ts';
import { Video } from './Video.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { DevicePickers } from './DevicePickers.tsx';
import { MicMeter } from './MicMeter.tsx';
import { SpeakerTest } from './SpeakerTest.tsx';
import { ConnectionCheck } from '../precall/ConnectionCheck.tsx';
import { background } from '../util/background.ts';
import { RECORDING_CONSENT, useRoomStatus } from './useRoomStatus.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
  online: boolean;
  /** Show the password field from the start (the person said the room has one). */
  passwordFirst?: boolean;
}

export function PreJoin({ controller, snap, online, passwordFirst = false }: Props) {
  const { current } = useSession();
  const [name, setName] = useState(() => savedName() ?? current?.user.name ?? '');
  // The creator's browser remembers the password it set: hosts are asked for it too.
  const [saved] = useState(() => loadRoomPassword(controller.roomId));
  const [password, setPassword] = useState(saved ?? '');
  const [wantsPassword, setWantsPassword] = useState(saved !== undefined || passwordFirst);
  const askPassword = snap.askPassword || wantsPassword;
  const { recording: recorded, title } = useRoomStatus(controller.roomId);
  // The meeting's name before joining, so a link from a calendar says where it leads.
  usePageTitle(title ? `Join ${title} - Parley` : 'Join the meeting - Parley');
  const joining = snap.phase === 'joining';
  // Join pressed offline: the page joins by itself once the browser is back online (issue 19).
  const [awaitingNetwork, setAwaitingNetwork] = useState(false);
  const canJoin = name.trim() !== '' && snap.previewReady && !joining && !awaitingNetwork;

  const join = () => {
    background(controller.join(name, askPassword ? password : undefined), 'joining');
  };
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!canJoin) return;
    saveName(name.trim());
    if (online) join();
    else setAwaitingNetwork(true);
  };
  useEffect(() => {
    if (!online || !awaitingNetwork) return;
    setAwaitingNetwork(false);
    join();
  }, [online, awaitingNetwork]);

  const here = `/r/${controller.roomId}`;
  // The creator's browser holds the host key: no need to suggest signing in.
  const [creator] = useState(() => loadHostKey(controller.roomId) !== undefined);
  return (
    <section class="prejoin" aria-label="Before you join">
      <h1 class={title ? 'prejoin-title' : 'visually-hidden'}>{title ?? 'Join the meeting'}</h1>
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
      {/* Someone heading for Join: the call's socket (re)opens if it timed out meanwhile. */}
      <form
        class="prejoin-form"
        onSubmit={onSubmit}
        onFocusIn={() => controller.warmUp()}
        onPointerEnter={() => controller.warmUp()}
      >
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
        {askPassword ? (
          <div class="field">
            <label for="join-password">Room password</label>
            <input
              id="join-password"
              type="password"
              autoComplete="off"
              maxLength={LIMITS.ROOM_PASSWORD_MAX}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
        ) : (
          <button type="button" class="link" onClick={() => setWantsPassword(true)}>
            This room has a password
          </button>
        )}
        <div class="row">
          <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        </div>
        <DevicePickers
          snap={snap}
          onSelect={(k, id) => background(controller.selectDevice(k, id), 'switching device')}
        />
        {snap.deviceNotice && (
          <p class="warning" role="status">
            {snap.deviceNotice}
          </p>
        )}
        <MicMeter stream={controller.localStream()} epoch={snap.streamEpoch} />
        <SpeakerTest sinkId={snap.selected.output} />
        <ConnectionCheck source={controller} />
        {snap.joinError && (
          <p class="error" role="alert">
            {snap.joinError}
          </p>
        )}
        {recorded && (
          <p class="recording-consent" role="status">
            <span class="dot" aria-hidden="true" /> {RECORDING_CONSENT}
          </p>
        )}
        {awaitingNetwork && (
          <p class="warning" role="status">
            You are offline. You will join as soon as the network is back.
          </p>
        )}
        <button type="submit" class="primary big" disabled={!canJoin}>
          {joining ? 'Joining…' : awaitingNetwork ? 'Waiting for the network…' : 'Join'}
        </button>
        <p class="muted hint">
          {current ? (
            `Signed in as ${current.user.name}.`
          ) : creator ? (
            'You created this room: you join as its host.'
          ) : (
            <>
              Joining as a guest.{' '}
              <a
                href={`/signin?next=${encodeURIComponent(here)}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/signin?next=${encodeURIComponent(here)}`);
                }}
              >
                Sign in
              </a>{' '}
              if this is your room.
            </>
          )}
        </p>
      </form>
    </section>
  );
}
