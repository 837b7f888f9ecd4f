/**
 * The server's configuration: every environment variable, validated once at start (a bad one
 * stops the process with a ConfigError naming it). Each subject has its module (server and
 * network, rooms, media, ICE, sign-in, storage and cluster, mail, push, limits); this one
 * composes them into `Config` and is what the rest of the server imports.
 */
import { oidcConfig, tokenConfig } from './auth.ts';
import type { AuthSettings } from './auth.ts';
import { clusterConfig, databaseUrlOf } from './cluster.ts';
import type { StorageSettings } from './cluster.ts';
import type { Env } from './env.ts';
import { iceConfig } from './ice.ts';
import type { IceSettings } from './ice.ts';
import { limitsConfig } from './limits.ts';
import type { LimitsConfig } from './limits.ts';
import { mailConfig } from './mail.ts';
import type { MailConfig } from './mail.ts';
import { hlsConfig, mediaJobsConfig, recordingConfig, sfuConfig } from './media.ts';
import type { MediaSettings } from './media.ts';
import { pushConfig } from './push.ts';
import type { PushConfig } from './push.ts';
import { meetingsConfig, roomSizeConfig } from './rooms.ts';
import type { RoomSettings } from './rooms.ts';
import { listenConfig, metricsConfig, sessionConfig, siteUrlOf } from './server.ts';
import type { ServerSettings, SessionSettings } from './server.ts';

export { ConfigError } from './env.ts';
export type { OidcConfig } from './auth.ts';
export type { ClusterConfig } from './cluster.ts';
export type { LimitsConfig } from './limits.ts';
export type { MailConfig } from './mail.ts';
export type { HlsConfig, RecordingConfig, SfuConfig } from './media.ts';
export type { PushConfig, VapidKeys } from './push.ts';
export type { MetricsConfig } from './server.ts';

/** Everything the server can be told. `loadConfig` documents each default. */
export interface Config
  extends
    ServerSettings,
    SessionSettings,
    RoomSettings,
    MediaSettings,
    IceSettings,
    AuthSettings,
    StorageSettings {
  /** What one address, peer or account may cost us (issue #14); see `limitsConfig`. */
  limits: LimitsConfig;
  /** Outgoing mail over SMTP (SMTP_URL, MAIL_FROM; issue 21); undefined: mail is off. */
  mail: MailConfig | undefined;
  /** Web Push reminders (issue 21); see `PushConfig`. */
  push: PushConfig;
}

/**
 * Reads and validates the environment; throws ConfigError naming the bad variable. The
 * variables are read in one fixed order, so that of several bad ones the same is named first.
 */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = databaseUrlOf(env);
  return {
    ...listenConfig(env),
    ...roomSizeConfig(env),
    sfu: sfuConfig(env),
    hls: hlsConfig(env),
    recording: recordingConfig(env),
    ...meetingsConfig(env),
    siteUrl: siteUrlOf(env),
    metrics: metricsConfig(env),
    mediaJobs: mediaJobsConfig(env),
    ...sessionConfig(env),
    ...iceConfig(env),
    ...tokenConfig(env),
    databaseUrl,
    cluster: clusterConfig(env, databaseUrl),
    oidc: oidcConfig(env),
    limits: limitsConfig(env),
    mail: mailConfig(env),
    push: pushConfig(env),
  };
}
