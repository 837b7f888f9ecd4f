import { ConfigError, int, urlOf } from './env.ts';
import type { Env } from './env.ts';

export interface MailConfig {
  /** SMTP_URL: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://` (TLS). */
  smtpUrl: string;
  /** MAIL_FROM: the sender, `parley@example.org` or `Parley <parley@example.org>`. */
  from: string;
  /** SMTP connection, greeting and socket timeouts (SMTP_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
}

/** An address alone, or a display name and the address in <>; no line breaks (header injection). */
const MAIL_FROM = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

/** SMTP_URL and MAIL_FROM together, or neither: mail is off, and the app says so. */
export function mailConfig(env: Env): MailConfig | undefined {
  const smtpUrl = urlOf(env, 'SMTP_URL', ['smtp', 'smtps']);
  const from = (env.MAIL_FROM ?? '').trim();
  if (smtpUrl === undefined) {
    if (from) throw new ConfigError('MAIL_FROM is set but SMTP_URL is not');
    return undefined;
  }
  if (!from) throw new ConfigError('SMTP_URL is set but MAIL_FROM is not: mail needs a sender');
  if (!MAIL_FROM.test(from)) {
    throw new ConfigError(
      `MAIL_FROM must be an address, or "Name <address>", got "${env.MAIL_FROM}"`,
    );
  }
  return { smtpUrl, from, timeoutMs: int(env, 'SMTP_TIMEOUT_MS', 10_000, 100) };
}
