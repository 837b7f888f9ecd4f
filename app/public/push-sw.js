// Web Push reminders (issue 21), imported by the service worker vite-plugin-pwa generates
// (vite.config.ts, workbox.importScripts): it shows each push as a notification, and a click
// brings up the meeting's room, in a Parley window already on it or a new one.
/* global self, clients */

/** Our own pages only: a link elsewhere (or none) opens the home page instead. */
function roomUrl(raw) {
  try {
    const url = new URL(typeof raw === 'string' ? raw : '/', self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + '/';
  } catch {
    return self.location.origin + '/';
  }
}

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = (event.data && event.data.json()) || {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  const url = roomUrl(payload.url);
  const title = typeof payload.title === 'string' && payload.title ? payload.title : 'Parley';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof payload.body === 'string' ? payload.body : '',
      icon: '/icons/icon-192.png',
      // One notification per room: a newer notice about the same meeting replaces the older.
      tag: url,
      data: { url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = roomUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      // A window already in the room is brought forward; another Parley window is left alone
      // (it may be in a call), and the room opens in a new one.
      const there = windows.find((w) => new URL(w.url).pathname === new URL(url).pathname);
      return there ? there.focus() : clients.openWindow(url);
    }),
  );
});
