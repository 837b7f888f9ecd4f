// Password reset by mail (issue 21), end to end over HTTP against a real Parley server and a
// real SMTP server on loopback ports: the request, the mail, the link, the new password.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturesResponse, PasswordResetRequested, SessionResponse } from '@parley/protocol';
import { createLog } from '@parley/signaling';
import { CookieJar } from './support/cookieJar.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { startTestSmtp } from './support/smtp.ts';
import type { ReceivedMail, TestSmtp } from './support/smtp.ts';

const OLD_PASSWORD = 'old enough password';
const NEW_PASSWORD = 'a brand new password';
let people = 0;

const post = (jar: CookieJar, url: string, body: unknown): Promise<Response> =>
  jar.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The token of the reset link in both parts of `mail` (the same link in each). */
function linkIn(mail: ReceivedMail, server: TestServer): string {
  const pattern = new RegExp(`${server.url}/reset-password#([A-Za-z0-9_-]{43})`);
  const inText = pattern.exec(mail.parsed.text ?? '')?.[1];
  const inHtml = pattern.exec(typeof mail.parsed.html === 'string' ? mail.parsed.html : '')?.[1];
  expect(inText).toBeDefined();
  expect(inHtml).toBe(inText);
  return inText as string;
}

describe('password reset by mail', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let skewMs = 0;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({
      mail: smtp.mail,
      now: () => Date.now() + skewMs,
      log: createLog((line) => logLines.push(line)),
    });
  });
  afterAll(async () => {
    await server?.dispose();
    await smtp?.close();
  });

  /** A new account, signed up from `jar` (which then holds its refresh cookie). */
  async function signUp(jar: CookieJar, name = `Ada <b>${++people}</b>`) {
    const email = `ada${people}-${Date.now()}@example.test`;
    const res = await post(jar, `${server.url}/api/auth/signup`, {
      email,
      password: OLD_PASSWORD,
      name,
    });
    expect(res.status).toBe(201);
    return { email, name };
  }

  const requestReset = (email: string) =>
    post(new CookieJar(), `${server.url}/api/auth/password-reset`, { email });
  const complete = (jar: CookieJar, token: string, password = NEW_PASSWORD) =>
    post(jar, `${server.url}/api/auth/password-reset/complete`, { token, password });
  const signIn = (email: string, password: string) =>
    post(new CookieJar(), `${server.url}/api/auth/signin`, { email, password });

  it('says mail is on', async () => {
    const res = await fetch(`${server.url}/api/features`);
    expect((await res.json()) as FeaturesResponse).toEqual({ email: true });
  });

  it('mails a single-use link that sets a new password and ends every other session', async () => {
    const oldBrowser = new CookieJar();
    const { email, name } = await signUp(oldBrowser);
    const asked = await requestReset(email.toUpperCase());
    expect(asked.status).toBe(202);
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual([email.toLowerCase()]);
    expect(mail.parsed.subject).toBe('Reset your Parley password');
    expect(mail.parsed.text).toContain(`Hello ${name},`);
    // The name is the person's own text: escaped in the HTML part, never markup.
    expect(mail.parsed.html).toContain('Hello Ada &lt;b&gt;');
    expect(mail.parsed.html).not.toContain('<b>');
    const token = linkIn(mail, server);

    const newBrowser = new CookieJar();
    const done = await complete(newBrowser, token);
    expect(done.status).toBe(200);
    const session = (await done.json()) as SessionResponse;
    expect(session.user.email).toBe(email);
    expect(newBrowser.get('parley_refresh')).toBeDefined();

    expect((await signIn(email, OLD_PASSWORD)).status).toBe(401);
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
    // The session from before the reset is over; the one the reset started goes on.
    expect(
      (await oldBrowser.fetch(`${server.url}/api/auth/refresh`, { method: 'POST' })).status,
    ).toBe(401);
    expect(
      (await newBrowser.fetch(`${server.url}/api/auth/refresh`, { method: 'POST' })).status,
    ).toBe(200);

    const again = await complete(new CookieJar(), token, 'yet another password');
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: 'RESET_LINK_INVALID' } });
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a link after 30 minutes, and a common password without spending the link', async () => {
    const { email } = await signUp(new CookieJar());
    expect((await requestReset(email)).status).toBe(202);
    const token = linkIn(await smtp.nextMail(), server);
    const weak = await complete(new CookieJar(), token, 'password');
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ error: { code: 'WEAK_PASSWORD' } });
    skewMs = 31 * 60_000;
    try {
      const late = await complete(new CookieJar(), token);
      expect(late.status).toBe(400);
      expect(await late.json()).toMatchObject({ error: { code: 'RESET_LINK_INVALID' } });
    } finally {
      skewMs = 0;
    }
    expect((await signIn(email, OLD_PASSWORD)).status).toBe(200);
  });

  it('answers an unknown email exactly as a known one, and mails nobody', async () => {
    const { email } = await signUp(new CookieJar());
    const unknown = await requestReset(`nobody-${Date.now()}@example.test`);
    const known = await requestReset(email);
    expect(unknown.status).toBe(known.status);
    expect((await unknown.json()) as PasswordResetRequested).toEqual(await known.json());
    // Both were looked up in order, so the known one's mail comes after the unknown one's
    // lookup: had it mailed anyone, that mail would be first.
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual([email]);
    expect(smtp.pending()).toBe(0);
    expect(
      logLines.some((l) => l.includes('password reset asked for an email without an account')),
    ).toBe(true);
  });

  it('lets an account without a password (as single sign-on leaves it) choose one', async () => {
    const { email } = await signUp(new CookieJar());
    // What a single sign-on link does to the row (IdentityStore.link): the password is gone.
    const db = new Database(path.join(server.dataDir, 'parley.db'));
    db.prepare("UPDATE users SET password_hash = '' WHERE email = ?").run(email);
    db.close();
    expect((await signIn(email, OLD_PASSWORD)).status).toBe(401);
    await requestReset(email);
    expect((await complete(new CookieJar(), linkIn(await smtp.nextMail(), server))).status).toBe(
      200,
    );
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
  });

  it('a newer link replaces an older one', async () => {
    const { email } = await signUp(new CookieJar());
    await requestReset(email);
    const first = linkIn(await smtp.nextMail(), server);
    await requestReset(email);
    const second = linkIn(await smtp.nextMail(), server);
    expect((await complete(new CookieJar(), first)).status).toBe(400);
    expect((await complete(new CookieJar(), second)).status).toBe(200);
  });

  it('limits requests per email, whether or not it has an account', async () => {
    const email = `flood-${Date.now()}@example.test`;
    for (let i = 0; i < 3; i++) expect((await requestReset(email)).status).toBe(202);
    const refused = await requestReset(email);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('answers the same while the mail server refuses, and logs the failure', async () => {
    const { email } = await signUp(new CookieJar());
    smtp.refuse = true;
    try {
      expect((await requestReset(email)).status).toBe(202);
      const deadline = Date.now() + 10_000;
      while (!logLines.some((l) => l.includes('password reset mail failed'))) {
        if (Date.now() > deadline) throw new Error('the failure was not logged');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      smtp.refuse = false;
    }
    expect(smtp.pending()).toBe(0);
  });

  it('refuses malformed bodies with a typed error', async () => {
    const bad = await post(new CookieJar(), `${server.url}/api/auth/password-reset`, {
      email: 'x',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'BAD_MESSAGE' } });
    const short = await complete(new CookieJar(), 'x'.repeat(43), 'short');
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ error: { code: 'BAD_MESSAGE' } });
  });
});

describe('password reset without SMTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('says mail is off, and refuses a request with MAIL_NOT_CONFIGURED', async () => {
    const features = await fetch(`${server.url}/api/features`);
    expect((await features.json()) as FeaturesResponse).toEqual({ email: false });
    const res = await post(new CookieJar(), `${server.url}/api/auth/password-reset`, {
      email: 'ada@example.test',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'MAIL_NOT_CONFIGURED' } });
  });
});
