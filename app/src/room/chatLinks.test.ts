import { describe, expect, it } from 'vitest';
import { chatParts } from './chatLinks.ts';
import type { ChatPart } from './chatLinks.ts';

const text = (t: string): ChatPart => ({ kind: 'text', text: t });
const link = (t: string, href = t): ChatPart => ({ kind: 'link', text: t, href });

describe('chat links', () => {
  it.each<[string, string, ChatPart[]]>([
    ['plain text', 'no links here', [text('no links here')]],
    ['an empty message', '', []],
    ['a link alone', 'https://example.org/a', [link('https://example.org/a')]],
    ['http too', 'http://example.org/', [link('http://example.org/')]],
    [
      'a link amid text',
      'see https://example.org/x?y=1#z now',
      [text('see '), link('https://example.org/x?y=1#z'), text(' now')],
    ],
    [
      'the full stop after a link',
      'Read https://example.org/doc.',
      [text('Read '), link('https://example.org/doc'), text('.')],
    ],
    [
      'a comma, a question mark',
      'https://a.example/, https://b.example/?',
      [link('https://a.example/'), text(', '), link('https://b.example/'), text('?')],
    ],
    [
      'the bracket closing a remark',
      '(at https://example.org/page)',
      [text('(at '), link('https://example.org/page'), text(')')],
    ],
    [
      'brackets that belong to the URL',
      'https://en.wikipedia.org/wiki/Pluto_(planet).',
      [link('https://en.wikipedia.org/wiki/Pluto_(planet)'), text('.')],
    ],
    [
      'quotes around a link',
      '"https://example.org/q" and \'https://example.org/r\'',
      [
        text('"'),
        link('https://example.org/q'),
        text('" and \''),
        link('https://example.org/r'),
        text("'"),
      ],
    ],
    [
      'a line break ends a link',
      'first https://example.org/1\nhttps://example.org/2',
      [text('first '), link('https://example.org/1'), text('\n'), link('https://example.org/2')],
    ],
    [
      'markup stays beside the link, as text',
      '<b>https://example.org/</b>',
      [text('<b>'), link('https://example.org/'), text('</b>')],
    ],
    [
      'the host is lower-cased in the href',
      'HTTPS://Example.ORG',
      [link('HTTPS://Example.ORG', 'https://example.org/')],
    ],
    [
      'an escaped space stays as typed',
      'https://example.org/a%20b',
      [link('https://example.org/a%20b')],
    ],
  ])('%s', (_name, message, parts) => {
    expect(chatParts(message)).toEqual(parts);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript://example.org/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'mailto:ada@example.org',
    'file:///etc/passwd',
    'ftp://example.org/file',
    'www.example.org',
    'https://',
    'https://.',
    'https://[not-an-ip]/',
    'xhttps://example.org',
  ])('never links %s', (message) => {
    expect(chatParts(message)).toEqual([text(message)]);
  });

  it('keeps every character of the message, in order', () => {
    const message = 'a https://x.example/(b)), c http://y.example. javascript:z https://';
    expect(
      chatParts(message)
        .map((p) => p.text)
        .join(''),
    ).toBe(message);
  });
});
