import type { Config } from '../config/index.ts';
import type { Storage } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { PushChannel } from './pushChannel.ts';
import { loadVapidKeys } from './vapid.ts';

export { PushChannel } from './pushChannel.ts';

/** Web Push (issue 21): the notice channel, and what its HTTP routes need. */
export function createPush(config: Config, storage: Storage, log: Log, now = Date.now) {
  const vapid = loadVapidKeys(config.push.vapid, config.dataDir);
  const store = storage.pushSubscriptions;
  const channel = new PushChannel({ store, vapid, subject: config.push.subject, log, now });
  const { httpLoopback, services, maxDevices } = config.push;
  const routes = { store, publicKey: vapid.publicKey, httpLoopback, services, maxDevices, now };
  return { channel, routes };
}
