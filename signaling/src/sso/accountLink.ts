import { z } from 'zod';
import { LIMITS } from '@parley/protocol';
import type { IdentityStore, UserRecord, UserStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { SSO_ERROR_CODES, SsoError } from './errors.ts';
import type { ProvenIdentity } from './provider.ts';

/** How the account was found: the identity's link, a new account, or a new link by email. */
export type Outcome = 'known' | 'created' | 'linked';

const EmailSchema = z.email().max(254);

/**
 * The account an identity signs in to (issue 21). Later logins find it by (issuer, subject).
 * The first one links the account that has the identity's email, but only when the provider
 * verified that email (`email_verified: true`), and only an account without another identity
 * of the same issuer; without a matching account it creates one (with no password). An
 * unverified email never opens an existing account: that is SSO_EMAIL_UNVERIFIED.
 *
 * Linking signs everyone else out of the account for good: sign-ups never verify their email,
 * so the password may be an attacker's who registered the address first, waiting for its owner
 * (account pre-hijacking). The link removes the password and revokes every refresh token the
 * account had, in the store's one transaction; the owner's provider is the way in from then on.
 */
export class AccountLinker {
  constructor(
    private readonly stores: { users: UserStore; identities: IdentityStore },
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  async accountFor(identity: ProvenIdentity): Promise<{ user: UserRecord; outcome: Outcome }> {
    // Twice at most: a concurrent first login of the same identity or email may win the race
    // between our read and our write; the second pass finds what it wrote.
    for (let attempt = 0; ; attempt++) {
      const found = await this.#attempt(identity);
      if (found || attempt === 1) return found ?? conflict();
    }
  }

  async #attempt(identity: ProvenIdentity): Promise<{ user: UserRecord; outcome: Outcome } | null> {
    const { users, identities } = this.stores;
    const { issuer, subject } = identity;
    const linked = await identities.userOf(issuer, subject);
    const known = linked === undefined ? undefined : await users.byId(linked);
    if (known) return { user: known, outcome: 'known' };
    const email = EmailSchema.safeParse(identity.email);
    if (!email.success) {
      throw new SsoError(SSO_ERROR_CODES.SSO_EMAIL_MISSING, 'the provider gave no usable email');
    }
    const existing = await users.byEmail(email.data);
    if (existing) {
      if (!identity.emailVerified) {
        const message = `${email.data} has an account, and the provider has not verified it`;
        throw new SsoError(SSO_ERROR_CODES.SSO_EMAIL_UNVERIFIED, message);
      }
      const link = { issuer, subject, userId: existing.id, linkedAt: this.now() };
      // Also removes the password and revokes the account's sessions (see the class comment).
      if (!(await identities.link(link))) return null;
      this.log.info('account linked to a single sign-on identity: password and sessions removed', {
        userId: existing.id,
      });
      return { user: { ...existing, passwordHash: '' }, outcome: 'linked' };
    }
    const user = { email: email.data, name: nameOf(identity), passwordHash: '' };
    const created = await identities.createLinked(user, { issuer, subject });
    if (!created) return null;
    this.log.info('account created by single sign-on', { userId: created.id });
    return { user: created, outcome: 'created' };
  }
}

function conflict(): never {
  const message = "the email's account belongs to another person at this provider";
  throw new SsoError(SSO_ERROR_CODES.SSO_ACCOUNT_CONFLICT, message);
}

/** The account's display name: the provider's name claims, else the email's local part. */
export function nameOf(identity: Pick<ProvenIdentity, 'names' | 'email'>): string {
  const { name, preferred_username, given_name, family_name } = identity.names;
  const given = [given_name, family_name].filter(Boolean).join(' ');
  const raw = name ?? (given || preferred_username) ?? identity.email?.split('@')[0] ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clip(clean, LIMITS.NAME_MAX) || 'Parley user';
}

/** At most `max` UTF-16 units (what the protocol's schemas count), never half a character. */
function clip(text: string, max: number): string {
  let out = '';
  for (const character of text) {
    if (out.length + character.length > max) break;
    out += character;
  }
  return out.trim();
}
