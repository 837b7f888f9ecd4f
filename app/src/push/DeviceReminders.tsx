import { useEffect, useState } from 'preact/hooks';
import { log } from '../log.ts';
import { background } from '../util/background.ts';
import {
  devicePushState,
  renewDevicePush,
  turnOffDevicePush,
  turnOnDevicePush,
} from './devicePush.ts';
import type { DevicePushState } from './devicePush.ts';

const IOS = /iPhone|iPad|iPod/.test(navigator.userAgent);

/**
 * "Reminders on this device" (issue 21), on the home page of a signed-in person: the state of
 * this device in words, and the one button that changes it. The browser asks for the
 * notification permission only when the person presses "Get reminders on this device".
 */
export function DeviceReminders() {
  const [state, setState] = useState<DevicePushState | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    devicePushState().then(
      (s) => {
        if (!live) return;
        setState(s);
        if (s.kind === 'on') {
          renewDevicePush().catch((e: unknown) => log.warn('push device not renewed', e));
        }
      },
      (e: unknown) => live && setState({ kind: 'failed', detail: String(e) }),
    );
    return () => {
      live = false;
    };
  }, []);

  const run = (action: () => Promise<DevicePushState>) => {
    setBusy(true);
    const done = action()
      .catch((e: unknown): DevicePushState => ({ kind: 'failed', detail: String(e) }))
      .then((s) => {
        setState(s);
        setBusy(false);
      });
    background(done, 'changing reminders on this device');
  };

  return (
    <section class="device-reminders" aria-labelledby="device-reminders-title">
      <h2 id="device-reminders-title">Reminders on this device</h2>
      <p role="status" class={state?.kind === 'failed' ? 'error' : 'muted'}>
        {state === null ? 'Checking…' : describe(state)}
      </p>
      {(state?.kind === 'off' || state?.kind === 'failed') && (
        <button type="button" disabled={busy} onClick={() => run(turnOnDevicePush)}>
          {busy ? 'Turning on…' : 'Get reminders on this device'}
        </button>
      )}
      {state?.kind === 'on' && (
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => run(turnOffDevicePush)}
        >
          {busy ? 'Turning off…' : 'Turn off reminders on this device'}
        </button>
      )}
    </section>
  );
}

function describe(state: DevicePushState): string {
  switch (state.kind) {
    case 'on':
      return 'On: this device shows a notification before your meetings, even when Parley is closed.';
    case 'off':
      return 'Off: get a notification on this device before your meetings start, even when Parley is closed.';
    case 'blocked':
      return 'Blocked: notifications for Parley are turned off in this browser’s settings. Allow them in the site settings, then reload this page.';
    case 'unsupported':
      return IOS
        ? 'Not available here: on iPhone and iPad, add Parley to the Home Screen (Share, Add to Home Screen) and open it from there.'
        : 'Not available here: this browser cannot show reminders from Parley.';
    case 'failed':
      return `Reminders could not be turned on: ${state.detail}.`;
  }
}
