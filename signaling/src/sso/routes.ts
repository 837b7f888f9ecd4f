import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ERROR_CODES } from '@parley/protocol';
import type { SsoInfoResponse } from '@parley/protocol';
import type { Accounts } from '../auth/accounts.ts';
import { cookie, readCookie, refreshCookie } from '../auth/cookies.ts';
import type { OidcConfig } from '../config/index.ts';
import { apiError, json, methodNotAllowed } from '../http/httpUtil.ts';
import type { AccountLinker } from './accountLink.ts';
import { SSO_ERROR_CODES, SsoError, notConfigured } from './errors.ts';
import { LOGIN_TTL_S, SSO_COOKIE, SSO_COOKIE_PATH } from './loginState.ts';
import type { LoginState, LoginStates } from './loginState.ts';
import type { OidcProvider } from './provider.ts';

export const SSO_INFO_PATH = '/api/auth/oidc';
export const SSO_START_PATH = '/api/auth/oidc/start';
export const SSO_CALLBACK_PATH = '/api/auth/oidc/callback';

export interface SsoRoutesDeps {
  /** Undefined: single sign-on is off, and every route but the info says SSO_NOT_CONFIGURED. */
  oidc: { config: OidcConfig; provider: OidcProvider; linker: AccountLinker } | undefined;
  accounts: Accounts;
  states: LoginStates;
  /** The refresh cookie's Max-Age: the refresh token's lifetime, seconds. */
  refreshTtlS: number;
  /** The browser reached us over TLS (here, or at a trusted proxy): the redirect_uri's scheme. */
  overTls: (req: IncomingMessage) => boolean;
}

/**
 * A path on this site to return to: `/...`, never `//host` or `/\host` (which browsers read as
 * another origin), no control characters, no more than a long room link needs.
 */
export const ReturnPathSchema = z
  .string()
  .max(1024)
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .regex(/^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/);

const StartQuerySchema = z.strictObject({ next: ReturnPathSchema.optional() });
const START_HINT = 'send ?next=<a path on this site, like /r/<id>> or nothing';

const param = z.string().min(1).max(2048);
/** The authorization response (RFC 6749 4.1.2, RFC 9207); providers may add their own fields. */
const CallbackQuerySchema = z.union([
  z.looseObject({ state: param, code: param, iss: param.optional() }),
  z.looseObject({ state: param, error: param, iss: param.optional() }),
]);
const CALLBACK_HINT = 'the provider must send ?state and ?code (or ?error), each once';

/** Host header values a redirect_uri may be built from: a host name or address, and a port. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `GET /api/auth/oidc` (is there a provider, and its name), `GET /api/auth/oidc/start?next=`
 * (off to the provider) and `GET /api/auth/oidc/callback` (back from it, signed in). The two
 * last are browser navigations: once the input is valid, every outcome is a redirect into the
 * app, to `next` through the sign-in page, or to the sign-in page with `sso_error=<code>`.
 */
export class SsoRoutes {
  constructor(private readonly deps: SsoRoutesDeps) {}

  /** Answers the request and returns true when `path` is one of these routes. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const run = ROUTES.get(path);
    if (!run) return false;
    if (req.method !== 'GET') {
      methodNotAllowed(res, 'GET');
      return true;
    }
    try {
      await run(this, req, res);
    } catch (error) {
      if (!(error instanceof SsoError) || res.headersSent) throw error;
      apiError(res, error.status, error.code, error.message);
    }
    return true;
  }

  info(res: ServerResponse): void {
    const oidc = this.deps.oidc;
    const body: SsoInfoResponse = {
      provider: oidc ? { name: oidc.config.name, startUrl: SSO_START_PATH } : null,
    };
    json(res, 200, body);
  }

  async start(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const oidc = this.deps.oidc;
    if (!oidc) throw notConfigured();
    const query = queryOf(req, StartQuerySchema);
    const redirectUri = this.#redirectUri(req);
    if (!query || !redirectUri) return apiError(res, 400, ERROR_CODES.BAD_MESSAGE, START_HINT);
    const next = query.next ?? '/';
    const login: LoginState = {
      state: random(),
      nonce: random(),
      verifier: random(),
      next,
      redirectUri,
    };
    let to: URL;
    try {
      to = await oidc.provider.authorizationUrl(login);
    } catch (error) {
      if (error instanceof SsoError) return this.#failed(req, res, error, next);
      throw error;
    }
    const sealed = await this.deps.states.seal(login);
    redirect(res, to.href, [loginCookie(req, sealed, LOGIN_TTL_S)]);
  }

  async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const oidc = this.deps.oidc;
    if (!oidc) throw notConfigured();
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (!queryOf(req, CallbackQuerySchema)) {
      return apiError(res, 400, ERROR_CODES.BAD_MESSAGE, CALLBACK_HINT);
    }
    const login = await this.deps.states.open(readCookie(req, SSO_COOKIE));
    if (!login) {
      const expired = new SsoError(
        SSO_ERROR_CODES.SSO_LOGIN_EXPIRED,
        'this sign-in is over: start again',
      );
      return this.#failed(req, res, expired, '/');
    }
    try {
      const identity = await oidc.provider.redeem(params, login);
      const { user } = await oidc.linker.accountFor(identity);
      const session = await this.deps.accounts.signInWith(user);
      // The app, at the sign-in page, refreshes to get its access token, then goes to `next`.
      const landing = `/signin?${new URLSearchParams({ sso: 'ok', next: login.next })}`;
      redirect(res, landing, [
        loginCookie(req, '', 0), // single use: a replayed callback finds no sign-in
        refreshCookie(req, session.refreshToken, this.deps.refreshTtlS),
      ]);
    } catch (error) {
      if (error instanceof SsoError) return this.#failed(req, res, error, login.next);
      throw error;
    }
  }

  /** Back to the sign-in page, which explains `sso_error`; the sign-in's cookie is spent. */
  #failed(req: IncomingMessage, res: ServerResponse, error: SsoError, next: string): void {
    const query = new URLSearchParams({ sso_error: error.code, next });
    redirect(res, `/signin?${query}`, [loginCookie(req, '', 0)]);
  }

  /**
   * Where the provider sends the browser back: this site's callback, as the browser reached
   * us. The sealed login keeps it, so the token request repeats exactly what was authorized.
   */
  #redirectUri(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (!host || !HOST.test(host)) return undefined;
    const scheme = this.deps.overTls(req) ? 'https' : 'http';
    return `${scheme}://${host}${SSO_CALLBACK_PATH}`;
  }
}

const ROUTES = new Map<
  string,
  (routes: SsoRoutes, req: IncomingMessage, res: ServerResponse) => void | Promise<void>
>([
  [SSO_INFO_PATH, (r, _req, res) => r.info(res)],
  [SSO_START_PATH, (r, req, res) => r.start(req, res)],
  [SSO_CALLBACK_PATH, (r, req, res) => r.callback(req, res)],
]);

const random = (): string => randomBytes(32).toString('base64url');

/** The query as an object when every parameter appears once and `schema` accepts it. */
function queryOf<T>(req: IncomingMessage, schema: z.ZodType<T>): T | undefined {
  const raw = req.url ?? '/';
  if (raw.length > 8192) return undefined;
  const params = new URL(raw, 'http://localhost').searchParams;
  const keys = [...params.keys()];
  if (new Set(keys).size !== keys.length) return undefined;
  const parsed = schema.safeParse(Object.fromEntries(params));
  return parsed.success ? parsed.data : undefined;
}

/**
 * The sign-in's cookie: SameSite=Lax, because the provider sends the browser back with a
 * top-level navigation from its own site, which Strict would strip it from.
 */
function loginCookie(req: IncomingMessage, value: string, maxAgeS: number): string {
  return cookie(req, SSO_COOKIE, value, { path: SSO_COOKIE_PATH, maxAgeS, sameSite: 'Lax' });
}

function redirect(res: ServerResponse, location: string, setCookies: string[]): void {
  res.writeHead(303, { Location: location, 'Set-Cookie': setCookies, 'Cache-Control': 'no-store' });
  res.end();
}
