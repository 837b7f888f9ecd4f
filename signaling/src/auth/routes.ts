import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { LIMITS } from '@parley/protocol';
import { apiError, json, methodNotAllowed, readJsonBody } from '../http/httpUtil.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { PasswordResetRequested } from '@parley/protocol';
import type { Accounts, Session } from './accounts.ts';
import type { PasswordResets } from './passwordReset.ts';
import { REFRESH_COOKIE, clearRefreshCookie, readCookie, refreshCookie } from './cookies.ts';
import { AUTH_ERROR_CODES, AuthError, unauthorized } from './errors.ts';
import type { AuthUser } from './types.ts';
import { userInfo } from './userInfo.ts';

export interface AuthRoutesDeps {
  accounts: Accounts;
  /** Password reset by mail (issue 21). */
  resets: PasswordResets;
  rooms: Rooms;
  /** The refresh cookie's Max-Age: the refresh token's lifetime, seconds. */
  refreshTtlS: number;
  /** The client's address, for rate limits (X-Forwarded-For only from TRUST_PROXY). */
  addressOf: (req: IncomingMessage) => string;
}

const EmailSchema = z.string().trim().pipe(z.email().max(254));
const PasswordSchema = z.string().min(LIMITS.ACCOUNT_PASSWORD_MIN).max(LIMITS.ACCOUNT_PASSWORD_MAX);

const SignUpSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  name: z.string().trim().min(1).max(LIMITS.NAME_MAX),
});
const SIGN_UP_HINT =
  `send {"email", "password" (${LIMITS.ACCOUNT_PASSWORD_MIN}-${LIMITS.ACCOUNT_PASSWORD_MAX} ` +
  `characters), "name" (1-${LIMITS.NAME_MAX})}`;

// Sign-in does not judge the email's shape: an odd one is just an account that does not exist.
const SignInSchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(LIMITS.ACCOUNT_PASSWORD_MAX),
});
const SIGN_IN_HINT = 'send {"email", "password"}';

const ResetRequestSchema = z.strictObject({ email: EmailSchema });
const RESET_REQUEST_HINT = 'send {"email"}';
const ResetCompleteSchema = z.strictObject({
  token: z.string().min(1).max(128),
  password: PasswordSchema,
});
const RESET_COMPLETE_HINT =
  `send {"token" (from the mailed link), "password" (${LIMITS.ACCOUNT_PASSWORD_MIN}-` +
  `${LIMITS.ACCOUNT_PASSWORD_MAX} characters)}`;
const RESET_REQUESTED: PasswordResetRequested = {
  message: 'if that email has an account, a link to reset its password is on its way',
};

/** JSON only (see readJsonBody); 8 KiB fits the longest password in \u escapes, and the rest. */
const JSON_BODY = { max: 8192, jsonOnly: true } as const;

/**
 * `/api/auth/*` and `/api/me*`. Refused requests throw AuthError, which the HTTP handler turns
 * into a status and `{error}` (sendAuthError).
 */
export class AuthRoutes {
  constructor(private readonly deps: AuthRoutesDeps) {}

  /** Answers the request and returns true when `path` is one of these routes. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    const route = ROUTES.get(path);
    if (!route) return false;
    if (method !== route.method) {
      methodNotAllowed(res, route.method);
      return true;
    }
    await route.run(this, req, res);
    return true;
  }

  async signUp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, res, SignUpSchema, SIGN_UP_HINT, JSON_BODY);
    if (!body) return;
    const session = await this.deps.accounts.signUp(body, this.deps.addressOf(req));
    this.#sendSession(req, res, 201, session);
  }

  async signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, res, SignInSchema, SIGN_IN_HINT, JSON_BODY);
    if (!body) return;
    const session = await this.deps.accounts.signIn(body, this.deps.addressOf(req));
    this.#sendSession(req, res, 200, session);
  }

  /** The same 202 for every well-formed email: see PasswordResets.request. */
  async requestReset(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, res, ResetRequestSchema, RESET_REQUEST_HINT, JSON_BODY);
    if (!body) return;
    await this.deps.resets.request(body.email, this.deps.addressOf(req));
    json(res, 202, RESET_REQUESTED);
  }

  async completeReset(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, res, ResetCompleteSchema, RESET_COMPLETE_HINT, JSON_BODY);
    if (!body) return;
    const session = await this.deps.resets.complete(body.token, body.password);
    this.#sendSession(req, res, 200, session);
  }

  async refresh(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const session = await this.deps.accounts.refresh(readCookie(req, REFRESH_COOKIE));
      this.#sendSession(req, res, 200, session);
    } catch (error) {
      // A dead cookie is of no use to the browser: drop it along with the 401.
      if (error instanceof AuthError) res.setHeader('Set-Cookie', clearRefreshCookie(req));
      throw error;
    }
  }

  async signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.deps.accounts.signOut(readCookie(req, REFRESH_COOKIE));
    res.writeHead(204, { 'Set-Cookie': clearRefreshCookie(req), 'Cache-Control': 'no-store' });
    res.end();
  }

  async me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { id } = await this.requireUser(req);
    const user = await this.deps.accounts.users.byId(id);
    if (!user) throw unauthorized(); // deleted since the token was signed
    json(res, 200, { user: userInfo(user) });
  }

  async myRooms(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { id } = await this.requireUser(req);
    json(res, 200, { rooms: await this.deps.rooms.ownedBy(id) });
  }

  /** The bearer; throws UNAUTHORIZED when the header is missing or its token is not valid. */
  async requireUser(req: IncomingMessage): Promise<AuthUser> {
    const user = await this.optionalUser(req);
    if (!user) throw unauthorized();
    return user;
  }

  /**
   * The bearer, or undefined for a request without `Authorization`. A header with a bad or
   * expired token throws UNAUTHORIZED: the client meant to act as someone, so it must refresh
   * rather than silently act as nobody.
   */
  async optionalUser(req: IncomingMessage): Promise<AuthUser | undefined> {
    const header = req.headers.authorization;
    if (header === undefined) return undefined;
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
    const user = match?.[1] ? await this.deps.accounts.tokens.verify(match[1]) : undefined;
    if (!user) throw unauthorized();
    return user;
  }

  #sendSession(req: IncomingMessage, res: ServerResponse, status: number, session: Session): void {
    const setCookie = refreshCookie(req, session.refreshToken, this.deps.refreshTtlS);
    json(res, status, session.body, { 'Set-Cookie': setCookie });
  }
}

type Route = {
  method: 'GET' | 'POST';
  run(routes: AuthRoutes, req: IncomingMessage, res: ServerResponse): void | Promise<void>;
};

const ROUTES = new Map<string, Route>([
  ['/api/auth/signup', { method: 'POST', run: (r, req, res) => r.signUp(req, res) }],
  ['/api/auth/signin', { method: 'POST', run: (r, req, res) => r.signIn(req, res) }],
  ['/api/auth/password-reset', { method: 'POST', run: (r, req, res) => r.requestReset(req, res) }],
  [
    '/api/auth/password-reset/complete',
    { method: 'POST', run: (r, req, res) => r.completeReset(req, res) },
  ],
  ['/api/auth/refresh', { method: 'POST', run: (r, req, res) => r.refresh(req, res) }],
  ['/api/auth/signout', { method: 'POST', run: (r, req, res) => r.signOut(req, res) }],
  ['/api/me', { method: 'GET', run: (r, req, res) => r.me(req, res) }],
  ['/api/me/rooms', { method: 'GET', run: (r, req, res) => r.myRooms(req, res) }],
]);

/** The one place an AuthError becomes a response. */
export function sendAuthError(res: ServerResponse, error: AuthError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers['Retry-After'] = String(error.retryAfterS);
  if (error.code === AUTH_ERROR_CODES.UNAUTHORIZED) headers['WWW-Authenticate'] = 'Bearer';
  apiError(res, error.status, error.code, error.message, headers);
}
