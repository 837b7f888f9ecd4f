import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailConfig } from '../config/index.ts';

/** One message: every mail has a plain-text and an HTML part (issue 21). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  content: string;
  /** With its parameters, e.g. `text/calendar; method=REQUEST`. */
  contentType: string;
}

/** What sends mail; the SMTP transport in production, another behind it only where one must. */
export interface Mailer {
  /** Resolves once the server accepted the message; throws when it refused or did not answer. */
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Mail over SMTP (SMTP_URL). Each stage has a deadline (connecting, the greeting, any silence
 * on the socket), so a mail server that is down or stalls fails a send instead of holding it
 * (and whatever awaits it) open. No pool: mail is rare here, a connection per message is enough.
 */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(config: MailConfig) {
    this.#from = config.from;
    this.#transport = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      dnsTimeout: config.timeoutMs,
    });
  }

  async send(mail: Mail): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      ...(mail.attachments ? { attachments: mail.attachments } : {}),
    });
  }

  close(): void {
    this.#transport.close();
  }
}

/** The mailer for this server, or undefined when no SMTP server is configured (mail is off). */
export function createMailer(config: MailConfig | undefined): Mailer | undefined {
  return config && new SmtpMailer(config);
}
