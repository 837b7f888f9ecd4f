import type { RoomId } from './ids.ts';
import type { RoomMode } from './messages.ts';
import type { RoomSettings } from './roomSettings.ts';

/** `POST /api/rooms` reply. Keep `hostKey` secret: whoever presents it on `join` is host. */
export interface CreateRoomResponse {
  id: RoomId;
  hostKey: string;
}

/** `GET /api/rooms/:id` reply. */
export interface RoomStatus {
  id: RoomId;
  mode: RoomMode;
  admitted: number;
  live: boolean;
  /** The meeting is being recorded (the pre-join screen says so before anyone joins). */
  recording: boolean;
  /** Viewers of the broadcast seen in the last 30 s (`POST /api/broadcasts/:id/viewers`). */
  viewers: number;
  /** The title its creator gave it, or null. */
  title: string | null;
  /** Cluster mode only: the node that holds the room, null when nobody is in it. */
  node?: string | null;
}

/** What a broadcast's picture shows: a person's camera, or the screen they share. */
export interface BroadcastShowing {
  source: 'camera' | 'screen';
  /** The person's display name, as everyone in the meeting sees it. */
  name: string;
}

/**
 * `GET /api/broadcasts/:broadcastId` (`?t=` for a private room's): what the watch page needs,
 * and nothing else about the meeting behind it (no room id, no list of peers).
 */
export interface BroadcastStatus {
  live: boolean;
  /** The meeting's title, when its creator gave it one (the watch page's heading). */
  title: string | null;
  /** On air: whose camera or screen the picture shows; null off air or with no video. */
  showing: BroadcastShowing | null;
  /** The meeting behind the broadcast is being recorded (the watch page says so). */
  recording: boolean;
  /** Viewers seen in the last 30 s (`POST /api/broadcasts/:broadcastId/viewers`). */
  viewers: number;
}

/**
 * `GET /api/sfu/capabilities`: the RTP capabilities every room's router has (one codec list),
 * so a client can load its mediasoup Device on the pre-join screen. 204 (no body) when the
 * server runs without an SFU.
 */
export interface SfuCapabilitiesResponse {
  routerRtpCapabilities: Record<string, unknown>;
}

/** A signed-in user as the API shows them. */
export interface UserInfo {
  id: string;
  email: string;
  name: string;
}

/**
 * `POST /api/auth/signup` {email, password, name}, `POST /api/auth/signin` {email, password} and
 * `POST /api/auth/refresh` (refresh cookie) reply. The refresh token travels only as an
 * HttpOnly cookie; the access token (a short-lived JWT) goes in `Authorization: Bearer` and in
 * `join`'s `accessToken`.
 */
export interface SessionResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: UserInfo;
}

/**
 * `POST /api/rooms` body (optional, JSON). A signed-in creator (`Authorization: Bearer`) owns
 * the room. Settings not given take the safe defaults (waiting room on).
 */
export interface CreateRoomRequest {
  title?: string;
  settings?: Partial<Omit<RoomSettings, 'hasPassword'>>;
  password?: string;
}

/**
 * `POST /api/teams` body (JSON): a walkie-talkie team, which starts with one channel,
 * "General". Its creator is its first admin: the reply's `hostKey` (and a signed-in creator's
 * account) makes them one on `join`, as for a room.
 */
export interface CreateTeamRequest {
  name: string;
  /** Newcomers wait for an admin (default false). */
  requireApproval?: boolean;
  /** A request on a busy channel waits in line (default false). */
  queue?: boolean;
  /** A floor ends by itself after this long (default 60, at most 600). */
  maxTalkSeconds?: number;
}

/** `POST /api/teams` reply: the team's id (`/t/<id>`) and its admin key. */
export type CreateTeamResponse = CreateRoomResponse;

/** One entry of `GET /api/me/rooms`. */
export interface OwnedRoom {
  id: RoomId;
  title: string | null;
  createdAt: number;
}

/**
 * Codes only the accounts API answers with (besides the protocol's RATE_LIMITED, UNAUTHORIZED
 * and BAD_MESSAGE). Stable strings: the app switches on them.
 */
export const AUTH_ERROR_CODES = {
  /** `POST /api/auth/signup` (409) with an email that already has an account. */
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  /** `POST /api/auth/signin` (401): unknown email or wrong password, one answer for both. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** `POST /api/auth/signup` (400): the password is one of the most common ones. */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** `POST /api/auth/password-reset` (404): this server has no SMTP_URL, so it sends no mail. */
  MAIL_NOT_CONFIGURED: 'MAIL_NOT_CONFIGURED',
  /** `POST /api/auth/password-reset/complete` (400): the link is unknown, used or expired. */
  RESET_LINK_INVALID: 'RESET_LINK_INVALID',
} as const;

/** `GET /api/features`: what this server is set up for, which the app says when it is not. */
export interface FeaturesResponse {
  /** Mail can be sent (SMTP_URL): password reset, invitations and reminders by email. */
  email: boolean;
}

/** `POST /api/auth/password-reset` body: where to send the link. */
export interface PasswordResetRequest {
  email: string;
}

/**
 * `POST /api/auth/password-reset` reply (202), the same whether or not the email has an
 * account: only the inbox's owner learns that, from the mail.
 */
export interface PasswordResetRequested {
  message: string;
}

/**
 * `POST /api/auth/password-reset/complete` body: the token from the mailed link
 * (`/reset-password#<token>`) and the new password (the sign-up rules). The reply is a
 * session, as for sign-in; every other session of the account has ended.
 */
export interface PasswordResetComplete {
  token: string;
  password: string;
}

/** `GET /api/auth/oidc`: the single sign-on provider the sign-in page offers, if any. */
export interface SsoInfoResponse {
  /** Null: single sign-on is not configured (no button). */
  provider: { name: string; startUrl: string } | null;
}

/**
 * Codes of single sign-on (issue 21). `SSO_NOT_CONFIGURED` is a JSON answer (404); the others
 * end a sign-in that went through the provider, so they come back to the app as
 * `/signin?sso_error=<code>` (a browser is following redirects), where the page explains them.
 */
export const SSO_ERROR_CODES = {
  /** No OIDC_ISSUER on this server (404). */
  SSO_NOT_CONFIGURED: 'SSO_NOT_CONFIGURED',
  /** The sign-in's cookie is missing, forged or older than 10 minutes: start again. */
  SSO_LOGIN_EXPIRED: 'SSO_LOGIN_EXPIRED',
  /** The provider's answer carries another `state` than this browser's sign-in (CSRF). */
  SSO_STATE_MISMATCH: 'SSO_STATE_MISMATCH',
  /** The answer or its ID token names another issuer than OIDC_ISSUER (mix-up, RFC 9207). */
  SSO_ISSUER_MISMATCH: 'SSO_ISSUER_MISMATCH',
  /** The ID token's `nonce` is not this sign-in's (a replayed or injected token). */
  SSO_NONCE_MISMATCH: 'SSO_NONCE_MISMATCH',
  /** The provider refused the code: expired, used already, or its PKCE verifier is wrong. */
  SSO_CODE_REJECTED: 'SSO_CODE_REJECTED',
  /** The provider said no (`error=access_denied`, the person cancelled, ...). */
  SSO_DENIED: 'SSO_DENIED',
  /** The provider cannot be reached or answered something unusable. */
  SSO_PROVIDER_ERROR: 'SSO_PROVIDER_ERROR',
  /** The provider gave no email, which a Parley account needs. */
  SSO_EMAIL_MISSING: 'SSO_EMAIL_MISSING',
  /** The email has a Parley account, and the provider has not verified it: no link is made. */
  SSO_EMAIL_UNVERIFIED: 'SSO_EMAIL_UNVERIFIED',
  /** The email's account is linked to another person at the same provider. */
  SSO_ACCOUNT_CONFLICT: 'SSO_ACCOUNT_CONFLICT',
} as const;

export type SsoErrorCode = (typeof SSO_ERROR_CODES)[keyof typeof SSO_ERROR_CODES];

/** Every REST error body: `{ error: { code, message } }`. */
export interface ApiError {
  error: { code: string; message: string };
}
