import type { Workbox } from 'workbox-window';
import { background } from '../util/background.ts';

export interface UpdateHandle {
  /** Activates the waiting worker and reloads the page once it controls it. */
  apply(): void;
}

/**
 * Registers the service worker that vite-plugin-pwa generates (`registerType: 'prompt'`: a new
 * worker waits instead of taking over) and calls `onUpdate` when a new version is waiting.
 * workbox-window is loaded lazily: the home page does not need it to render.
 */
export async function registerServiceWorker(onUpdate: (h: UpdateHandle) => void): Promise<void> {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  const { Workbox } = await import('workbox-window');
  const wb = new Workbox('/sw.js', { scope: '/' });
  const handle: UpdateHandle = { apply: () => applyUpdate(wb) };
  wb.addEventListener('waiting', () => onUpdate(handle));
  // A worker found by a later update check (or installed from another tab) is "external":
  // it waits too when an older one is active.
  wb.addEventListener('installed', (event) => {
    if (!event.isExternal) return;
    background(
      navigator.serviceWorker.getRegistration().then((reg) => {
        if (reg?.waiting) onUpdate(handle);
      }),
      'looking for a waiting service worker',
    );
  });
  await wb.register();
}

function applyUpdate(wb: Workbox): void {
  // Registered only now, so the first install's clientsClaim never reloads the page.
  wb.addEventListener('controlling', () => window.location.reload());
  wb.messageSkipWaiting();
}
