// The SMTP mailer (issue 21) against a real SMTP server on a loopback port.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpMailer } from '@parley/signaling';
import { startTestSmtp } from './support/smtp.ts';
import type { TestSmtp } from './support/smtp.ts';

const FROM = 'Parley <parley@example.test>';

describe('SMTP mailer', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('sends a message with its text and HTML parts, signed in with the URL’s user', async () => {
    const mailer = new SmtpMailer({
      smtpUrl: smtp.url,
      from: FROM,
      timeoutMs: 5000,
    });
    await mailer.send({
      to: 'ada@example.test',
      subject: 'Hello',
      text: 'Plain words',
      html: '<p>Rich words</p>',
      attachments: [
        {
          filename: 'a.ics',
          content: 'BEGIN:VCALENDAR',
          contentType: 'text/calendar; method=REQUEST',
        },
      ],
    });
    mailer.close();
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual(['ada@example.test']);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Parley', address: 'parley@example.test' }]);
    expect(mail.parsed.subject).toBe('Hello');
    expect(mail.parsed.text?.trim()).toBe('Plain words');
    expect(mail.parsed.html).toContain('<p>Rich words</p>');
    expect(mail.parsed.attachments.map((a) => a.contentType)).toEqual(['text/calendar']);
  });

  it('fails a send the server refuses, and one with the wrong password', async () => {
    const mailer = new SmtpMailer({
      smtpUrl: smtp.url,
      from: FROM,
      timeoutMs: 5000,
    });
    smtp.refuse = true;
    const mail = { to: 'ada@example.test', subject: 'No', text: 'no', html: '<p>no</p>' };
    await expect(mailer.send(mail)).rejects.toThrow(/550/);
    smtp.refuse = false;
    mailer.close();
    const wrong = new SmtpMailer({
      smtpUrl: smtp.url.replace(/:[^:@]+@/, ':wrong@'),
      from: FROM,
      timeoutMs: 5000,
    });
    await expect(wrong.send(mail)).rejects.toThrow(/invalid username or password|535/i);
    wrong.close();
    expect(smtp.pending()).toBe(0);
  });

  it('gives up on a server that accepts the connection and never speaks', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mailer = new SmtpMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: FROM,
      timeoutMs: 300,
    });
    const mail = { to: 'ada@example.test', subject: 'Hi', text: 'hi', html: '<p>hi</p>' };
    await expect(mailer.send(mail)).rejects.toThrow(/greeting|timeout/i);
    mailer.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
