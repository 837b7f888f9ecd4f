import { z } from 'zod';
import type { Mailer, MailAttachment } from '../mail/mailer.ts';
import { noticeMail } from '../mail/templates.ts';
import type { MeetingNotice, NoticeChannel, Recipient } from './channel.ts';

const EmailSchema = z.email().max(254);

/**
 * Notices by mail (issue 21): each one a mail with text and HTML parts (mail/templates.ts)
 * and, when the notice has one, its calendar entry as `notice.ics`, whose METHOD (REQUEST or
 * CANCEL) the attachment's content type repeats, as calendar clients expect (RFC 6047).
 */
export class EmailChannel implements NoticeChannel {
  readonly name = 'email';

  /** `mailer` undefined: no SMTP_URL here, so the channel is off. */
  constructor(private readonly mailer: Mailer | undefined) {}

  get enabled(): boolean {
    return this.mailer !== undefined;
  }

  async reaches(to: Recipient): Promise<boolean> {
    return this.enabled && EmailSchema.safeParse(to.email).success;
  }

  async send(to: Recipient, notice: MeetingNotice): Promise<void> {
    if (!this.mailer) throw new Error('email is not set up here (no SMTP_URL)');
    const attachments = notice.ics === undefined ? [] : [calendarAttachment(notice)];
    await this.mailer.send({ to: to.email, ...noticeMail(notice), attachments });
  }
}

/** The entry's own METHOD line decides; a cancellation without one is still a CANCEL. */
function calendarAttachment(notice: MeetingNotice): MailAttachment {
  const content = notice.ics ?? '';
  const stated = /^METHOD:(REQUEST|CANCEL)\r?$/m.exec(content)?.[1];
  const cancels = notice.kind === 'cancelled' || notice.kind === 'uninvited';
  const method = stated ?? (cancels ? 'CANCEL' : 'REQUEST');
  return {
    filename: 'notice.ics',
    content,
    contentType: `text/calendar; charset=utf-8; method=${method}`,
  };
}
