import { useEffect, useState } from 'preact/hooks';
import { registerServiceWorker } from './registerSw.ts';
import type { UpdateHandle } from './registerSw.ts';
import { log } from '../log.ts';

/**
 * Offers a reload when a new version of the app is waiting, instead of swapping the code
 * under a running call.
 */
export function UpdatePrompt() {
  const [update, setUpdate] = useState<UpdateHandle | null>(null);
  useEffect(() => {
    registerServiceWorker((h) => setUpdate(h)).catch((err: unknown) =>
      log.warn('service worker registration failed', err),
    );
  }, []);
  if (!update) return null;
  return (
    <div class="banner banner-info" role="alert">
      A new version is available.{' '}
      <button type="button" onClick={() => update.apply()}>
        Reload
      </button>
      <button type="button" class="secondary" onClick={() => setUpdate(null)}>
        Later
      </button>
    </div>
  );
}
