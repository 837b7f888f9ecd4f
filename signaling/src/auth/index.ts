import type { IncomingMessage } from 'node:http';
import { BoardTickets } from '../classroom/boardTickets.ts';
import { RecordingLinks } from '../recording/links.ts';
import type { Config } from '../config/index.ts';
import { servedOverTls } from '../http/securityHeaders.ts';
import { createSso } from '../sso/index.ts';
import type { SsoRoutes } from '../sso/index.ts';
import type { Storage } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import type { Rooms } from '../rooms/rooms.ts';
import { TrustedProxies, clientAddress } from '../util/clientAddress.ts';
import type { OnLimit } from '../util/limits.ts';
import type { AttemptsFactory } from '../util/attempts.ts';
import type { Mailer } from '../mail/mailer.ts';
import { Accounts } from './accounts.ts';
import { PasswordResets } from './passwordReset.ts';
import { AuthRoutes } from './routes.ts';
import { deriveViewerSecret, loadJwtSecret } from './secret.ts';
import type { TokenVerifier } from './types.ts';
import { ViewerAccess } from './viewerAccess.ts';
import { GuestIdentities } from './guestIdentity.ts';

export { AuthError } from './errors.ts';
export { sendAuthError, type AuthRoutes } from './routes.ts';
export type { ViewerAccess } from './viewerAccess.ts';
export type { GuestIdentities } from './guestIdentity.ts';
export type { AuthUser, TokenVerifier } from './types.ts';

/** Everything accounts give the rest of the server. */
export interface Auth {
  /** Checks access tokens (WebSocket `join`, `Authorization: Bearer`). */
  verifier: TokenVerifier;
  /** The `/api/auth/*` and `/api/me*` routes, and bearer checks for other routes. */
  routes: AuthRoutes;
  /** Viewer tokens: who may see a private room's status and broadcast. */
  viewers: ViewerAccess;
  /** Guest identities (a signed cookie): what bans key on for people who are not signed in. */
  guests: GuestIdentities;
  /** Tickets for the slides' HTTP routes (issue 17), keyed from the same secret. */
  boardTickets: BoardTickets;
  /** Signs and checks recordings' download links (recording/links.ts). */
  recordingLinks: RecordingLinks;
  /** Single sign-on's `/api/auth/oidc*` routes (issue 21); they say so when it is off. */
  sso: SsoRoutes;
  /** Password reset by mail (issue 21); `available` is false without SMTP_URL. */
  resets: PasswordResets;
}

/** What mail gives accounts: the mailer (none without SMTP_URL) and where links lead. */
export interface AuthMail {
  mailer: Mailer | undefined;
  /** SITE_URL, else this server's own address (known once it listens). */
  siteUrl: () => string;
  /** The clock reset links expire by (tests move it); default Date.now. */
  now?: () => number;
}

/** How the account limits count: told to the metric, and where the counts live. */
export interface AuthLimits {
  onLimit?: OnLimit;
  /** A cluster's shared counters (cluster/sharedAttempts.ts); this node's memory otherwise. */
  attempts?: AttemptsFactory;
}

/** Accounts over the storage, keyed by JWT_SECRET or `<dataDir>/jwt-secret`. Needs the data dir to exist. */
export function createAuth(
  config: Config,
  storage: Storage,
  rooms: Rooms,
  log: Log,
  mail: AuthMail,
  { onLimit, attempts }: AuthLimits = {},
): Auth {
  const jwtSecret = loadJwtSecret(config.jwtSecret, config.dataDir);
  const accounts = new Accounts({
    users: storage.users,
    refreshTokens: storage.refreshTokens,
    jwtSecret,
    accessTokenTtlS: config.accessTokenTtlS,
    refreshTtlDays: config.refreshTtlDays,
    log,
    limits: config.limits,
    ...(onLimit ? { onLimit } : {}),
    ...(attempts ? { attempts } : {}),
  });
  const trusted = new TrustedProxies(config.limits.trustProxy);
  const addressOf = (req: IncomingMessage): string => clientAddress(req, trusted);
  const viewers = new ViewerAccess(deriveViewerSecret(jwtSecret), (id) => rooms.isPrivate(id));
  const refreshTtlS = config.refreshTtlDays * 24 * 60 * 60;
  const sso = createSso({
    config: config.oidc,
    accounts,
    stores: { users: storage.users, identities: storage.identities },
    jwtSecret,
    refreshTtlS,
    overTls: (req) => servedOverTls(req, (address) => trusted.trusts(address)),
    log,
  });
  const resets = new PasswordResets({
    store: storage.passwordResets,
    users: storage.users,
    accounts,
    mailer: mail.mailer,
    siteUrl: mail.siteUrl,
    limits: config.limits.passwordReset,
    log,
    ...(onLimit ? { onLimit } : {}),
    ...(attempts ? { attempts } : {}),
    ...(mail.now ? { now: mail.now } : {}),
  });
  return {
    verifier: accounts.tokens,
    routes: new AuthRoutes({ accounts, resets, rooms, refreshTtlS, addressOf }),
    viewers,
    guests: new GuestIdentities(jwtSecret),
    boardTickets: new BoardTickets(jwtSecret),
    recordingLinks: new RecordingLinks(jwtSecret),
    sso,
    resets,
  };
}
