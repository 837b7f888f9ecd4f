// The signaling package as other workspaces see it: what the test suites and benchmarks start
// and inspect (the process itself starts from main.ts). Everything else in src/ is internal
// and may move without notice.
export { startServer, type ParleyServer, type StartOptions } from './server.ts';
export {
  ConfigError,
  loadConfig,
  type Config,
  type HlsConfig,
  type SfuConfig,
} from './config/index.ts';
export { createLog, quietLog, redact, REDACTED, type Log } from './telemetry/log.ts';
export { RULES, type Rule, type Standing } from './rooms/permissions.ts';
export { Rooms, type NewRoom, type RoomsOptions } from './rooms/rooms.ts';
export { AuthRoutes, type AuthRoutesDeps } from './auth/routes.ts';
export { deriveViewerSecret } from './auth/secret.ts';
export { BroadcastIds } from './auth/broadcastIds.ts';
export { SmtpMailer, type Mail, type Mailer } from './mail/mailer.ts';
export { EmailChannel } from './notices/emailChannel.ts';
export type { MeetingNotice, NoticeChannel, NoticeKind, Recipient } from './notices/channel.ts';
