import { fetchPushKey, registerDevice, unregisterDevice } from './pushApi.ts';

/**
 * Reminders on this device (issue 21), as the person sees them:
 * - `unsupported`: this browser cannot receive pushes here (no service worker or Push API;
 *   Safari on iPhone and iPad only once Parley is added to the Home Screen);
 * - `blocked`: notifications for Parley are denied in the browser's settings;
 * - `off`, `on`: whether this device is subscribed and registered with the server;
 * - `failed`: turning on did not work, with the reason (`detail`).
 */
export type DevicePushState =
  { kind: 'unsupported' | 'blocked' | 'off' | 'on' } | { kind: 'failed'; detail: string };

const supported = (): boolean =>
  'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** The app's service worker, if it runs (it does not in development builds). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!supported()) return undefined;
  return (await navigator.serviceWorker.getRegistration('/')) ?? undefined;
}

/** Where this device stands now, without asking the person anything. */
export async function devicePushState(): Promise<DevicePushState> {
  const reg = await registration();
  if (!reg) return { kind: 'unsupported' };
  if (Notification.permission === 'denied') return { kind: 'blocked' };
  return (await reg.pushManager.getSubscription()) ? { kind: 'on' } : { kind: 'off' };
}

const sameKey = (a: ArrayBuffer | null, b: Uint8Array): boolean =>
  a !== null && a.byteLength === b.length && new Uint8Array(a).every((x, i) => x === b[i]);

/**
 * Asks for the notification permission (only here, on the person's click), subscribes through
 * the service worker with the server's key, and registers the subscription with the server.
 * A subscription the server refused is undone, so "on" always means the server has it.
 */
export async function turnOnDevicePush(): Promise<DevicePushState> {
  const reg = await registration();
  if (!reg) return { kind: 'unsupported' };
  const permission = await Notification.requestPermission();
  if (permission === 'denied') return { kind: 'blocked' };
  if (permission !== 'granted') {
    return { kind: 'failed', detail: 'notifications were not allowed. Try again and allow them.' };
  }
  try {
    const key = await fetchPushKey();
    const old = await reg.pushManager.getSubscription();
    // A subscription made with another server key would never take our pushes: replace it.
    if (old && !sameKey(old.options.applicationServerKey, key)) await old.unsubscribe();
    const subscription =
      old && sameKey(old.options.applicationServerKey, key)
        ? old
        : await subscribeOrExplain(reg, key);
    try {
      await registerDevice(subscription);
    } catch (error) {
      await subscription.unsubscribe();
      throw error;
    }
    return { kind: 'on' };
  } catch (error) {
    return { kind: 'failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * How long the browser may take to register with its push service. Chromium that cannot reach
 * Google's never answers at all (seen in tests), which would leave "Turning on…" forever.
 */
const SUBSCRIBE_TIMEOUT_MS = 30_000;

/** The browser's push service is the browser maker's (Google's, Mozilla's, Apple's). */
async function subscribeOrExplain(
  reg: ServiceWorkerRegistration,
  key: Uint8Array<ArrayBuffer>,
): Promise<PushSubscription> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${SUBSCRIBE_TIMEOUT_MS / 1000} s`)),
      SUBSCRIBE_TIMEOUT_MS,
    );
  });
  try {
    const subscribe = reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
    return await Promise.race([subscribe, timeout]);
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`this browser's push service could not be reached or refused (${why})`);
  } finally {
    clearTimeout(timer);
  }
}

/** Unregisters this device with the server and drops its subscription. */
export async function turnOffDevicePush(): Promise<DevicePushState> {
  const subscription = await (await registration())?.pushManager.getSubscription();
  if (subscription) {
    await unregisterDevice(subscription.endpoint);
    await subscription.unsubscribe();
  }
  return devicePushState();
}

/**
 * A subscribed device registers again on each visit: the server may have dropped it (more than
 * PUSH_MAX_DEVICES devices), or someone else may have signed in here since.
 */
export async function renewDevicePush(): Promise<void> {
  const subscription = await (await registration())?.pushManager.getSubscription();
  if (subscription) await registerDevice(subscription);
}
