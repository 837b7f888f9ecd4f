// The service worker's push and notification-click handlers (app/public/push-sw.js), run in a
// Node `vm` with the worker's globals standing in. Headless Chromium cannot click a
// notification, and a synthetic `notificationclick` may neither open nor focus a window (only
// a real click grants that), so the click's choice of window is proven here; the push itself
// is proven end to end in tests/e2e/push-reminders.test.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const SOURCE = readFileSync(
  fileURLToPath(new URL('../../public/push-sw.js', import.meta.url)),
  'utf8',
);
const ORIGIN = 'https://meet.example.test';

interface Shown {
  title: string;
  options: { body: string; tag: string; data: { url: string } };
}
type Listener = (event: unknown) => void;

/** The worker with `windows` open; what it shows, focuses and opens is recorded. */
function worker(windows: string[] = []) {
  const listeners = new Map<string, Listener>();
  const shown: Shown[] = [];
  const focused: string[] = [];
  const opened: string[] = [];
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, fn: Listener) => listeners.set(type, fn),
    registration: {
      showNotification: async (title: string, options: Shown['options']) => {
        shown.push({ title, options });
      },
    },
  };
  const clients = {
    matchAll: async () =>
      windows.map((url) => ({
        url,
        focus: async () => {
          focused.push(url);
        },
      })),
    openWindow: async (url: string) => {
      opened.push(url);
    },
  };
  runInNewContext(SOURCE, { self, clients, URL });

  /** Fires `type` and waits for what the handler gave waitUntil. */
  async function fire(type: string, fields: object): Promise<void> {
    let pending: Promise<unknown> = Promise.resolve();
    listeners.get(type)!({ ...fields, waitUntil: (p: Promise<unknown>) => (pending = p) });
    await pending;
  }
  return {
    shown,
    focused,
    opened,
    push: (payload: unknown) =>
      fire('push', { data: { json: () => payload, text: () => JSON.stringify(payload) } }),
    click: (url: unknown) => {
      let closed = false;
      const notification = { data: { url }, close: () => (closed = true) };
      return fire('notificationclick', { notification }).then(() => closed);
    },
  };
}

describe('the push service worker', () => {
  it('shows a push as a notification about its room, one per room', async () => {
    const w = worker();
    await w.push({ title: 'Physics 101', body: 'Starts in 15 minutes', url: '/r/abc' });
    expect(w.shown).toEqual([
      {
        title: 'Physics 101',
        options: {
          body: 'Starts in 15 minutes',
          icon: '/icons/icon-192.png',
          tag: `${ORIGIN}/r/abc`,
          data: { url: `${ORIGIN}/r/abc` },
        },
      },
    ]);
  });

  it('opens the room in a new window when none is on it, and closes the notification', async () => {
    const w = worker([`${ORIGIN}/`, `${ORIGIN}/r/other`]);
    expect(await w.click(`${ORIGIN}/r/abc`)).toBe(true);
    expect(w.opened).toEqual([`${ORIGIN}/r/abc`]);
    expect(w.focused).toEqual([]);
  });

  it('brings forward a window already in the room instead of opening another', async () => {
    const w = worker([`${ORIGIN}/`, `${ORIGIN}/r/abc?x=1`]);
    await w.click(`${ORIGIN}/r/abc`);
    expect(w.focused).toEqual([`${ORIGIN}/r/abc?x=1`]);
    expect(w.opened).toEqual([]);
  });

  it('never leaves our origin: a link elsewhere, or none, opens the home page', async () => {
    const w = worker();
    await w.click('https://evil.example.test/r/abc');
    await w.click(undefined);
    expect(w.opened).toEqual([`${ORIGIN}/`, `${ORIGIN}/`]);
  });
});
