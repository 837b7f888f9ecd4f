import webpush from 'web-push';
import type { VapidKeys } from '../config/index.ts';
import type { MeetingNotice, NoticeChannel, Recipient } from '../notices/channel.ts';
import type { PushSubscriptionRecord, PushSubscriptionStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { pushPayloadOf, ttlOf } from './payload.ts';

export interface PushChannelOptions {
  store: PushSubscriptionStore;
  /** Undefined: push is not set up here (`enabled` false). */
  vapid: VapidKeys | undefined;
  /** VAPID_SUBJECT: who the push services can reach about our messages. */
  subject: string;
  log: Log;
  /** How long one push service may take to answer (ms). Default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

/** A push service answered 404 or 410: the device unsubscribed or expired, and is forgotten. */
class DeviceGone extends Error {
  override name = 'DeviceGone';
}

/**
 * Notices as Web Push messages (issue 21; RFC 8030, payload encrypted per RFC 8291, signed per
 * RFC 8292) to every device of the recipient's account. web-push encrypts and signs; we send the
 * request ourselves (fetch with a deadline), which also lets a test's push service be plain http.
 */
export class PushChannel implements NoticeChannel {
  readonly name = 'push';
  readonly #options: PushChannelOptions;

  constructor(options: PushChannelOptions) {
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#options.vapid !== undefined;
  }

  /** The VAPID public key browsers subscribe with; undefined when push is not set up. */
  get publicKey(): string | undefined {
    return this.#options.vapid?.publicKey;
  }

  async reaches(to: Recipient): Promise<boolean> {
    if (!this.enabled || to.userId === null) return false;
    return (await this.#options.store.ofUser(to.userId)).length > 0;
  }

  /**
   * One message to each of the account's devices, at once (PUSH_MAX_DEVICES bounds them).
   * Resolves when at least one push service accepted it; throws when none did.
   */
  async send(to: Recipient, notice: MeetingNotice): Promise<void> {
    if (!this.enabled) throw new Error('push: no VAPID keys on this server');
    const devices = to.userId === null ? [] : await this.#options.store.ofUser(to.userId);
    if (devices.length === 0) throw new Error('push: the recipient has no subscribed device');
    const body = JSON.stringify(pushPayloadOf(notice));
    const ttl = ttlOf(notice, (this.#options.now ?? Date.now)());
    const urgency = notice.kind === 'reminder' ? 'high' : 'normal';
    const outcomes = await Promise.allSettled(
      devices.map((device) => this.#deliver(device, body, ttl, urgency)),
    );
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled' || o.reason instanceof DeviceGone) continue;
      const service = new URL((devices[i] as PushSubscriptionRecord).endpoint).origin;
      this.#options.log.warn('push not delivered', { service, error: String(o.reason) });
    }
    if (failures.length === devices.length) {
      throw new Error(`push: no device took the notice (${failures.map(String).join('; ')})`);
    }
  }

  async #deliver(
    device: PushSubscriptionRecord,
    payload: string,
    ttl: number,
    urgency: webpush.Urgency,
  ): Promise<void> {
    const { vapid, subject, store, timeoutMs = 10_000 } = this.#options;
    if (!vapid) throw new Error('push: no VAPID keys');
    const request = webpush.generateRequestDetails(
      { endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
      payload,
      { vapidDetails: { subject, ...vapid }, TTL: ttl, urgency, contentEncoding: 'aes128gcm' },
    );
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length') // fetch sets it
        .map(([name, value]) => [name, String(value)]),
    );
    const res = await fetch(request.endpoint, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed, and a push service owes us no bound on its size.
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) {
      await store.forget(device.endpoint);
      throw new DeviceGone(`push: the device is gone (${res.status})`);
    }
    if (res.status < 200 || res.status > 299) {
      throw new Error(`push: the push service answered ${res.status}`);
    }
  }
}
