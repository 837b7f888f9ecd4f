import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS, parseClientMessage } from './index.ts';

const ROOM = 'abcdefghijklmnopqrstuv';
const PEER = 'peer_12345678';

describe('parseClientMessage', () => {
  const valid: [string, unknown][] = [
    ['hello', { type: 'hello', version: 1 }],
    [
      'join',
      { type: 'join', rid: 1, roomId: ROOM, name: 'Ada 👩‍💻', media: { audio: true, video: false } },
    ],
    ['leave', { type: 'leave' }],
    ['signal', { type: 'signal', to: PEER, data: { type: 'offer', sdp: 'v=0' } }],
    ['chat', { type: 'chat', clientId: 'c-0123456789', text: 'hi 🎉' }],
    ['chat-sync', { type: 'chat-sync', since: 0 }],
    ['media', { type: 'media', media: { audio: false, video: true } }],
    ['ping', { type: 'ping', rid: 7 }],
  ];
  it.each(valid)('accepts a valid %s', (type, msg) => {
    const r = parseClientMessage(JSON.stringify(msg));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message.type).toBe(type);
  });

  const invalid: [string, string, string][] = [
    ['not JSON', '{', ERROR_CODES.BAD_JSON],
    ['a bare number', '42', ERROR_CODES.BAD_MESSAGE],
    ['null', 'null', ERROR_CODES.BAD_MESSAGE],
    ['unknown type', '{"type":"nope"}', ERROR_CODES.BAD_MESSAGE],
    ['extra field', '{"type":"leave","x":1}', ERROR_CODES.BAD_MESSAGE],
    [
      'short room id',
      JSON.stringify({
        type: 'join',
        roomId: 'abc',
        name: 'a',
        media: { audio: true, video: true },
      }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    [
      'blank name',
      JSON.stringify({
        type: 'join',
        roomId: ROOM,
        name: '   ',
        media: { audio: true, video: true },
      }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    [
      'long chat',
      JSON.stringify({
        type: 'chat',
        clientId: 'c-0123456789',
        text: 'x'.repeat(LIMITS.CHAT_TEXT_MAX + 1),
      }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    [
      'blank chat',
      JSON.stringify({ type: 'chat', clientId: 'c-0123456789', text: ' \n ' }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    ['signal without data', JSON.stringify({ type: 'signal', to: PEER }), ERROR_CODES.BAD_MESSAGE],
    [
      'signal data array',
      JSON.stringify({ type: 'signal', to: PEER, data: [] }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    [
      'huge signal',
      JSON.stringify({
        type: 'signal',
        to: PEER,
        data: { sdp: 'x'.repeat(LIMITS.SIGNAL_MAX_BYTES) },
      }),
      ERROR_CODES.BAD_MESSAGE,
    ],
    ['negative since', '{"type":"chat-sync","since":-1}', ERROR_CODES.BAD_MESSAGE],
    ['proto pollution', '{"type":"leave","__proto__":{"x":1}}', ERROR_CODES.BAD_MESSAGE],
  ];
  it.each(invalid)('rejects %s with a typed code', (_name, text, code) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.error.length).toBeGreaterThan(0);
    }
  });

  it('echoes the type and rid of a bad message so the client can match the error', () => {
    const r = parseClientMessage('{"type":"chat","rid":9,"clientId":"x"}');
    expect(r).toMatchObject({ ok: false, ref: 'chat', rid: 9 });
  });

  it('refuses deep nesting with a typed error instead of overflowing the stack', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const text of [
      `{"type":"signal","rid":3,"to":"AAAAAAAAAAAA","data":{"x":${deep(5000)}}}`,
      `{"type":"sfu-produce","transportId":"t","kind":"audio","source":"mic","rtpParameters":{"a":${deep(50_000)}}}`,
    ]) {
      expect(() => parseClientMessage(text)).not.toThrow();
      expect(parseClientMessage(text)).toMatchObject({ ok: false, code: ERROR_CODES.BAD_MESSAGE });
    }
    expect(
      parseClientMessage(
        `{"type":"signal","rid":3,"to":"AAAAAAAAAAAA","data":{"x":${deep(5000)}}}`,
      ),
    ).toMatchObject({ rid: 3 });
    // Real signalling payloads are shallow and still pass.
    const sdp = { type: 'offer', sdp: 'v=0', nested: { a: [{ b: [1, 2] }] } };
    expect(
      parseClientMessage(JSON.stringify({ type: 'signal', to: 'AAAAAAAAAAAA', data: sdp })).ok,
    ).toBe(true);
  });
});
