import { describe, expect, it } from 'vitest';
import { REDACTED, createLog, redact } from './log.ts';

/** Logs one line through createLog and returns it parsed. */
function logged(msg: string, fields?: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  createLog((l) => lines.push(l)).error(msg, fields);
  expect(lines).toHaveLength(1);
  expect(lines[0]?.endsWith('\n')).toBe(true);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe('redact: fields with a secret-looking name', () => {
  it.each([
    'password',
    'Password',
    'newPassword',
    'passwordHash',
    'secret',
    'turnSecret',
    'JWT_SECRET',
    'token',
    'accessToken',
    'refresh_token',
    'resumeToken',
    'hostKey',
    'apiKey',
    'X-API-KEY',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'credential',
    'refresh',
  ])('%s is written as [redacted], whatever its value', (key) => {
    for (const value of ['hunter22', 42, { nested: 'x' }, ['a'], null]) {
      expect(redact({ [key]: value })).toEqual({ [key]: REDACTED });
    }
  });

  it('redacts at any depth, in arrays too, and keeps the other fields', () => {
    const fields = {
      room: 'AAAAAAAAAAAAAAAAAAAAAA',
      peer: { id: 'p1', hostKey: 'k', media: { audio: true } },
      iceServers: [{ urls: 'turn:x', username: '123:p1', credential: 'c' }],
      count: 3,
      ok: false,
      nothing: null,
    };
    expect(redact(fields)).toEqual({
      room: 'AAAAAAAAAAAAAAAAAAAAAA',
      peer: { id: 'p1', hostKey: REDACTED, media: { audio: true } },
      iceServers: [{ urls: 'turn:x', username: '123:p1', credential: REDACTED }],
      count: 3,
      ok: false,
      nothing: null,
    });
  });

  it('treats __proto__ and other odd keys as plain data', () => {
    const fields = JSON.parse('{"__proto__": {"password": "p"}, "constructor": "c"}') as object;
    const out = redact(fields) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"password":"[redacted]"},"constructor":"c"}');
  });
});

describe('redact: secrets inside text', () => {
  it.each([
    [
      'unhandled message {"type":"join","password":"hunter22","name":"Ann"}',
      'unhandled message {"type":"join","password":"[redacted]","name":"Ann"}',
    ],
    [
      '{"hostKey": "abc", "resumeToken":"def"}',
      '{"hostKey": "[redacted]", "resumeToken":"[redacted]"}',
    ],
    ["{ accessToken: 'eyJx' , a: 1 }", '{ accessToken: "[redacted]" , a: 1 }'],
    ['GET /api/x?access_token=abc&room=r', 'GET /api/x?access_token=[redacted]&room=r'],
    ['password=hunter22; other=1', 'password=[redacted]; other=1'],
    ['parley_refresh=abc.def; Path=/api/auth', 'parley_refresh=[redacted]; Path=/api/auth'],
    ['authorization: Bearer abc.def-ghi', 'authorization: "[redacted]" [redacted]'],
    ['sent Bearer abc123== to it', 'sent Bearer [redacted] to it'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_1 seen', 'token [redacted] seen'],
    ['no secrets here: room 42 of 50', 'no secrets here: room 42 of 50'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(redact({ error: text })).toEqual({ error: expected });
  });

  it('stays fast on long, hostile text', () => {
    const hostile = `${'a.'.repeat(50_000)}password${'-x'.repeat(50_000)}`;
    const started = performance.now();
    redact(hostile);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('cuts very long strings', () => {
    const out = redact('x'.repeat(10_000)) as string;
    expect(out.length).toBeLessThan(2100);
    expect(out).toMatch(/\[\+8000 chars\]$/);
  });
});

describe('redact: values JSON cannot hold as they are', () => {
  it('writes errors as name and message (scrubbed), with their cause', () => {
    const error = new Error('bad {"password":"p"}', { cause: new TypeError('inner') });
    expect(redact({ error })).toEqual({
      error: {
        name: 'Error',
        message: 'bad {"password":"[redacted]"}',
        cause: { name: 'TypeError', message: 'inner' },
      },
    });
  });

  it('survives cycles, bigints, functions, buffers, dates and URLs', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const out = redact({
      cyclic,
      big: 10n,
      fn: () => 1,
      buf: Buffer.from('secret bytes'),
      at: new Date(0),
      url: new URL('https://x.example/?token=abc'),
    }) as Record<string, unknown>;
    expect(JSON.stringify(out)).toContain('[nested]');
    expect(out).toMatchObject({
      big: '10',
      fn: '[function]',
      buf: '[12 bytes]',
      at: '1970-01-01T00:00:00.000Z',
      url: 'https://x.example/?token=[redacted]',
    });
  });
});

describe('createLog', () => {
  it('writes one JSON line with time, level and message, fields redacted', () => {
    const line = logged('handler failed', { type: 'join', password: 'p', error: 'x' });
    expect(line).toMatchObject({ level: 'error', msg: 'handler failed', type: 'join' });
    expect(line.password).toBe(REDACTED);
    expect(Date.parse(line.t as string)).not.toBeNaN();
  });

  it('does not let a field overwrite time, level or message', () => {
    const line = logged('real', { t: 'fake', level: 'info', msg: 'fake' });
    expect(line).toMatchObject({ level: 'error', msg: 'real' });
    expect(line.t).not.toBe('fake');
  });

  it('never throws, even for a field whose getter does', () => {
    const fields = {
      get boom(): string {
        throw new Error('getter');
      },
    };
    expect(logged('still logged', fields)).toMatchObject({ msg: 'still logged' });
  });
});

describe('child logs', () => {
  it('carry their fields on every line, nest, and let a line override them', () => {
    const lines: string[] = [];
    const room = createLog((l) => lines.push(l)).child({ roomId: 'r1' });
    const peer = room.child({ peerId: 'p1' });
    room.info('room closed');
    peer.warn('left', { reason: 'leave' });
    peer.error('moved', { peerId: 'p2' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ msg: 'room closed', roomId: 'r1' });
    expect(parsed[0]).not.toHaveProperty('peerId');
    expect(parsed[1]).toMatchObject({ level: 'warn', roomId: 'r1', peerId: 'p1', reason: 'leave' });
    expect(parsed[2]).toMatchObject({ roomId: 'r1', peerId: 'p2' });
  });

  it('redact bound fields like any other', () => {
    const lines: string[] = [];
    const log = createLog((l) => lines.push(l)).child({ resumeToken: 'tok-123', note: 'x' });
    log.info('joined', { hostKey: 'hk-456' });
    expect(lines[0]).not.toContain('tok-123');
    expect(lines[0]).not.toContain('hk-456');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ resumeToken: REDACTED, note: 'x' });
  });
});
