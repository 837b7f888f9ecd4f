import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as it arrived: parsed (parts, headers, attachments) and who the envelope named. */
export interface ReceivedMail {
  /** RCPT TO addresses, lower case. */
  to: string[];
  parsed: ParsedMail;
  /** The whole message as sent, for what the parser hides (part headers, raw MIME). */
  raw: string;
}

export interface TestSmtp {
  /** SMTP_URL for Parley: `smtp://user:password@127.0.0.1:<port>`. */
  url: string;
  /** Parley's mail settings for this server: SMTP_URL, MAIL_FROM, a short SMTP timeout. */
  readonly mail: { smtpUrl: string; from: string; timeoutMs: number };
  /** Every mail received so far, in order of arrival. */
  readonly received: ReceivedMail[];
  /**
   * The next mail not yet taken, waiting for it up to `timeoutMs` (default 10 s); rejects
   * when none comes. Mails are taken in order of arrival.
   */
  nextMail(timeoutMs?: number): Promise<ReceivedMail>;
  /** Mails that arrived and were not taken yet. */
  pending(): number;
  /** While set, every message is refused with 550 (a server that says no). */
  refuse: boolean;
  close(): Promise<void>;
}

export const SMTP_USER = 'parley';
export const SMTP_PASSWORD = 'smtp-test-password';

/**
 * A real SMTP server (smtp-server) on a free loopback port in this process, reading each
 * message with mailparser. It asks for AUTH (the user and password in `url`) over plain text:
 * no STARTTLS, so nodemailer does not try a certificate this test cannot have.
 */
export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let taken = 0;
  const state = { refuse: false };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuse) {
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        simpleParser(raw)
          .then((parsed) => {
            received.push({ to, parsed, raw: raw.toString('utf8') });
            for (const wake of waiters.splice(0)) wake();
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const url = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;
  return {
    url,
    mail: { smtpUrl: url, from: 'Parley <parley@example.test>', timeoutMs: 5000 },
    received,
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    pending: () => received.length - taken,
    async nextMail(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail arrived within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received[taken++] as ReceivedMail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
