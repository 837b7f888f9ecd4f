import { useEffect, useState } from 'preact/hooks';
import type { SsoInfoResponse } from '@parley/protocol';
import { ssoStartHref } from '../auth/authState.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

type Provider = NonNullable<SsoInfoResponse['provider']>;

/** The server's single sign-on provider, asked once per page load (null: none, or unknown). */
let asked: Promise<Provider | null> | undefined;

function ssoProvider(): Promise<Provider | null> {
  asked ??= fetch('/api/auth/oidc')
    .then(async (res) => (res.ok ? parseProvider(await res.json()) : null))
    .catch((err: unknown) => {
      log.warn('single sign-on provider unknown', err);
      asked = undefined; // ask again on the next visit to the page
      return null;
    });
  return asked;
}

function parseProvider(body: unknown): Provider | null {
  const p = (body as { provider?: unknown } | null)?.provider as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return null;
  const { name, startUrl } = p;
  if (typeof name !== 'string' || typeof startUrl !== 'string') return null;
  // Only a path on this site: the link must never lead elsewhere.
  return startUrl.startsWith('/') && !startUrl.startsWith('//') ? { name, startUrl } : null;
}

/**
 * "Sign in with <provider>" where the server has single sign-on (issue 21); nothing where it
 * has not. A plain link: the browser leaves for the provider and comes back signed in, to
 * `next` (through the sign-in page, which finishes the session).
 */
export function SsoSignIn({ next }: { next: string }) {
  const [provider, setProvider] = useState<Provider | null>(null);
  useEffect(() => {
    let live = true;
    background(
      ssoProvider().then((p) => live && setProvider(p)),
      'single sign-on provider',
    );
    return () => {
      live = false;
    };
  }, []);
  if (!provider) return null;
  return (
    <div class="sso">
      <a class="button-link sso-button" href={ssoStartHref(provider.startUrl, next)}>
        Sign in with {provider.name}
      </a>
      {/* Signing in with the provider once removes the account's password (issue 21). */}
      <p class="sso-or muted">
        or with your email and password, if you have never signed in with {provider.name}
      </p>
    </div>
  );
}
