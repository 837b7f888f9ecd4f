/**
 * Every mail Parley sends, as subject, plain text and HTML (issue 21). Whatever came from a
 * person (a name, a meeting's title) is escaped in the HTML; links are ours (SITE_URL based).
 */

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** A short HTML document around `body` (already escaped), readable in any mail client. */
function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a">',
    body,
    '<p style="color: #555; font-size: 0.9em">Sent by Parley.</p>',
    '</body></html>',
  ].join('\n');
}

const button = (href: string, label: string): string =>
  `<p><a href="${escapeHtml(href)}" style="display: inline-block; padding: 0.6em 1.2em; ` +
  `background: #1f5fbf; color: #fff; text-decoration: none; border-radius: 6px">` +
  `${escapeHtml(label)}</a></p>`;

/** The password reset mail: the link, how long it works, and what to do if it was not you. */
export function passwordResetMail(input: { name: string; link: string; ttlMin: number }) {
  const { name, link, ttlMin } = input;
  const subject = 'Reset your Parley password';
  const text = [
    `Hello ${name},`,
    '',
    'Someone (we hope you) asked to reset the password of your Parley account.',
    `Open this link within ${ttlMin} minutes to choose a new one (it works once):`,
    '',
    link,
    '',
    'Choosing a new password signs you out everywhere else.',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ].join('\n');
  const html = page(
    subject,
    [
      `<p>Hello ${escapeHtml(name)},</p>`,
      '<p>Someone (we hope you) asked to reset the password of your Parley account. ' +
        `Open this link within ${ttlMin} minutes to choose a new one (it works once):</p>`,
      button(link, 'Choose a new password'),
      `<p style="word-break: break-all">${escapeHtml(link)}</p>`,
      '<p>Choosing a new password signs you out everywhere else. If you did not ask for ' +
        'this, ignore this mail: your password stays as it is.</p>',
    ].join('\n'),
  );
  return { subject, text, html } satisfies RenderedMail;
}
