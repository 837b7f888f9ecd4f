import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** A person the test provider knows: their login name is their `sub`. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export const TEST_CLIENT = { id: 'parley-test', secret: 'parley-test-secret' } as const;
export const TEST_PASSWORD = 'provider-password';

export interface TestProvider {
  /** The issuer, exactly as its tokens say it (what OIDC_ISSUER must be). */
  issuer: string;
  /** Who may sign in; tests add people as they go. */
  accounts: Map<string, TestAccount>;
  /**
   * Lets this Parley origin (`http://127.0.0.1:<port>`) use the test client. Call before the
   * first sign-in: the provider is made then, with the redirect URIs it has at that moment.
   */
  allow(parleyOrigin: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on a free loopback port, with one confidential test
 * client (PKCE required) and a minimal login page of our own: a form for a login name and the
 * password TEST_PASSWORD; consent is granted at once (a first-party client). `host` names the
 * loopback in the issuer: `localhost` makes the provider another site than a Parley on
 * 127.0.0.1, as a real provider is (cookies then cross sites as in production).
 */
export async function startTestProvider(
  options: { host?: '127.0.0.1' | 'localhost'; issuerPath?: string } = {},
): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  const redirectUris: string[] = [];
  let provider: Provider | undefined;
  let handler: ReturnType<Provider['callback']> | undefined;
  const http: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}${options.issuerPath ?? ''}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: 'test-key',
    alg: 'RS256',
    use: 'sig',
  };

  const make = (): Provider => {
    const made = new Provider(issuer, {
      jwks: { keys: [signingKey] },
      ttl: {
        AuthorizationCode: 60,
        AccessToken: 600,
        IdToken: 600,
        Grant: 600,
        Interaction: 600,
        Session: 600,
      },
      clients: [
        {
          client_id: TEST_CLIENT.id,
          client_secret: TEST_CLIENT.secret,
          redirect_uris: redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
      cookies: { keys: ['test-provider-cookie-key'] },
      findAccount: (_ctx: unknown, sub: string) => {
        const account = accounts.get(sub);
        return account && { accountId: sub, claims: () => ({ sub, ...account }) };
      },
    });
    handler = made.callback();
    return made;
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    provider ??= make();
    const interaction = /^\/interaction\/[^/?]+/.exec(req.url ?? '');
    if (!interaction) return handler?.(req, res);
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST') return loginPage(res, details.uid);
      const form = new URLSearchParams(await body(req));
      const login = form.get('login') ?? '';
      if (!accounts.has(login) || form.get('password') !== TEST_PASSWORD) {
        return loginPage(res, details.uid, 'Unknown user or wrong password.');
      }
      const result = { login: { accountId: login } };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    // Consent: granted at once, for every scope asked.
    const accountId = details.session?.accountId ?? '';
    const grant = new provider.Grant({ accountId, clientId: TEST_CLIENT.id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      {
        mergeWithLastSubmission: true,
      },
    );
  }

  return {
    issuer,
    accounts,
    allow: (origin) => {
      if (provider) throw new Error('allow() after the first sign-in has no effect');
      redirectUris.push(`${origin}/api/auth/oidc/callback`);
    },
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function loginPage(res: ServerResponse, uid: string, error?: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>
<body><main><h1>Test provider: sign in</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}">
<label>Login <input name="login" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in at the provider</button>
</form></main></body></html>`;
  res.writeHead(error ? 401 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
