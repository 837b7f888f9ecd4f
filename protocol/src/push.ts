import { z } from 'zod';

/**
 * Web Push (issue 21): a signed-in user's device registers the PushSubscription its browser
 * made with the server's VAPID key, and reminders reach it when the app is closed.
 */

/** The longest endpoint URL we keep (the services' own are well under 1 KiB). */
export const PUSH_ENDPOINT_MAX = 2048;

/**
 * `keys.p256dh`: the device's P-256 public key, uncompressed (65 bytes, so it starts with 0x04,
 * "B" in base64url); `keys.auth`: its 16-byte authentication secret (RFC 8291, section 3).
 * Base64url without padding, as `PushSubscription.toJSON()` gives them.
 */
const P256DH = /^B[A-Za-z0-9_-]{86}$/;
const AUTH = /^[A-Za-z0-9_-]{22}$/;

/** `POST /api/push/subscriptions`: the body is the browser's `PushSubscription.toJSON()`. */
export const PushSubscriptionRequestSchema = z.object({
  endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z.string().regex(P256DH, 'an uncompressed P-256 key, base64url (87 characters)'),
    auth: z.string().regex(AUTH, 'a 16-byte secret, base64url (22 characters)'),
  }),
});
export type PushSubscriptionRequest = z.infer<typeof PushSubscriptionRequestSchema>;

/** `DELETE /api/push/subscriptions`: which of my devices to stop reminding. */
export const PushUnsubscribeRequestSchema = z.strictObject({
  endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX),
});
export type PushUnsubscribeRequest = z.infer<typeof PushUnsubscribeRequestSchema>;

/** `GET /api/push/key`: the VAPID public key (base64url), the browser's `applicationServerKey`. */
export interface PushKeyResponse {
  publicKey: string;
}

/** `POST /api/push/subscriptions` answers 201 with how many devices the account now has. */
export interface PushSubscribedResponse {
  devices: number;
  /** The most an account keeps: beyond it the oldest device is dropped. */
  maxDevices: number;
}

/**
 * What a push message carries (encrypted, RFC 8291): the notification's title and text, and the
 * room it opens when clicked.
 */
export const PushPayloadSchema = z.object({
  title: z.string(),
  body: z.string(),
  url: z.string(),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;
