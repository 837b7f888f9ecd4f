import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';
import { PUSH_SERVICES } from '../push/subscriptionCheck.ts';

const PG = 'postgres://parley@127.0.0.1:5432/parley';

describe('loadConfig: scheduled meetings', () => {
  it('reminds 15 minutes ahead by default, as REMINDER_LEAD_MIN says otherwise', () => {
    expect(loadConfig({}).schedule).toEqual({ reminderLeadMin: 15 });
    const c = loadConfig({ REMINDER_LEAD_MIN: '30' });
    expect(c.schedule).toEqual({ reminderLeadMin: 30 });
    expect(() => loadConfig({ REMINDER_LEAD_MIN: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ SITE_URL: 'ftp://x' })).toThrow(ConfigError);
  });
});

describe('loadConfig: cluster and database variables', () => {
  it('is one process on SQLite without them', () => {
    const c = loadConfig({});
    expect(c.cluster).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
  });

  it('may use PostgreSQL on a single node', () => {
    expect(loadConfig({ DATABASE_URL: PG })).toMatchObject({ databaseUrl: PG, cluster: undefined });
  });

  it('joins a cluster with REDIS_URL and DATABASE_URL, with a generated node id by default', () => {
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: PG });
    expect(c.cluster).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', publicUrl: undefined });
    expect(c.cluster?.nodeId).toMatch(/^node-[0-9a-f]{8}$/);
    const named = loadConfig({
      REDIS_URL: 'redis://r:6379',
      DATABASE_URL: PG,
      NODE_ID: 'node1',
      PUBLIC_URL: 'http://10.0.0.5:8080',
    });
    expect(named.cluster).toEqual({
      redisUrl: 'redis://r:6379',
      nodeId: 'node1',
      publicUrl: 'http://10.0.0.5:8080',
    });
  });

  it.each([
    [{ REDIS_URL: 'redis://r:6379' }, /DATABASE_URL.*SQLite files/],
    [{ REDIS_URL: 'http://r:6379', DATABASE_URL: PG }, /REDIS_URL must start with redis:\/\//],
    [{ DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL must start with postgres:\/\//],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/],
    [{ REDIS_URL: 'redis://r', DATABASE_URL: PG, NODE_ID: 'a b' }, /NODE_ID/],
    [{ REDIS_URL: 'redis://r', DATABASE_URL: PG, PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: who may read /metrics', () => {
  it('has neither a token nor a separate listener by default', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, listen: undefined });
  });

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['metrics.internal:0', { host: 'metrics.internal', port: 0 }],
  ])('reads METRICS_LISTEN=%s', (raw, listen) => {
    expect(loadConfig({ METRICS_LISTEN: raw }).metrics.listen).toEqual(listen);
  });

  it.each([
    [{ METRICS_TOKEN: 'too-short' }, /METRICS_TOKEN/],
    [{ METRICS_TOKEN: 'has a space in it, long enough' }, /METRICS_TOKEN/],
    [{ METRICS_LISTEN: '9464' }, /METRICS_LISTEN/],
    [{ METRICS_LISTEN: '127.0.0.1:99999' }, /METRICS_LISTEN/],
    [{ METRICS_LISTEN: '::1:9464' }, /METRICS_LISTEN/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: limits (issue #14)', () => {
  it('has the documented defaults', () => {
    const { limits } = loadConfig({});
    expect(limits).toMatchObject({
      trustProxy: [],
      roomCreationsPerHour: 30,
      wsPerAddress: 50,
      waitingMax: 200,
      waitingPerAddress: 10,
      roomPassword: { perRoomAddress: 10, perAddress: 30, perRoom: 100, windowMs: 300_000 },
      signIn: { perAccountAddress: 5, perAddress: 30, slowAfter: 10, slowMaxMs: 5000 },
      signUpsPerHour: 30,
      hash: { queueMax: 500 },
      sfu: { transports: 4, producers: 4, consumers: 200 },
    });
    expect(limits.hash.concurrency).toBeGreaterThanOrEqual(1);
  });

  it('reads each variable', () => {
    const { limits } = loadConfig({
      ROOM_CREATIONS_PER_HOUR: '5',
      WS_MAX_PER_ADDRESS: '6',
      WAITING_ROOM_MAX: '7',
      WAITING_MAX_PER_ADDRESS: '8',
      ROOM_PASSWORD_TRIES: '9',
      ROOM_PASSWORD_TRIES_PER_ADDRESS: '10',
      ROOM_PASSWORD_TRIES_PER_ROOM: '11',
      SIGN_IN_TRIES: '12',
      SIGN_IN_TRIES_PER_ADDRESS: '13',
      SIGN_IN_SLOW_AFTER: '14',
      SIGN_IN_SLOW_MAX_MS: '15',
      SIGN_UPS_PER_HOUR: '16',
      HASH_CONCURRENCY: '3',
      HASH_QUEUE_MAX: '17',
      SFU_MAX_TRANSPORTS_PER_PEER: '2',
      SFU_MAX_PRODUCERS_PER_PEER: '3',
      SFU_MAX_CONSUMERS_PER_PEER: '18',
    });
    expect(limits).toMatchObject({
      roomCreationsPerHour: 5,
      wsPerAddress: 6,
      waitingMax: 7,
      waitingPerAddress: 8,
      roomPassword: { perRoomAddress: 9, perAddress: 10, perRoom: 11 },
      signIn: { perAccountAddress: 12, perAddress: 13, slowAfter: 14, slowMaxMs: 15 },
      signUpsPerHour: 16,
      hash: { concurrency: 3, queueMax: 17 },
      sfu: { transports: 2, producers: 3, consumers: 18 },
    });
  });

  it.each(['WS_MAX_PER_ADDRESS', 'HASH_CONCURRENCY', 'SFU_MAX_CONSUMERS_PER_PEER'])(
    'refuses %s=0, naming the variable',
    (name) => {
      expect(() => loadConfig({ [name]: '0' })).toThrow(new RegExp(name));
    },
  );
});

describe('loadConfig: the broadcast ladder (issue 20)', () => {
  it('is off by default and on with HLS_LADDER=on', () => {
    expect(loadConfig({}).hls?.ladder).toBe(false);
    expect(loadConfig({ HLS_LADDER: 'on' }).hls?.ladder).toBe(true);
    expect(loadConfig({ HLS_LADDER: 'off' }).hls?.ladder).toBe(false);
  });

  it.each([
    [{ HLS_LADDER: 'yes' }, /HLS_LADDER must be on or off/],
    [{ HLS_LADDER: 'on', HLS_HEIGHT: '360' }, /HLS_HEIGHT above 360/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: single sign-on', () => {
  const OIDC = {
    OIDC_ISSUER: 'https://login.school.example/realms/staff',
    OIDC_CLIENT_ID: 'parley',
    OIDC_CLIENT_SECRET: 's3cret',
  };

  it('is off without the variables, and names the issuer’s host on the button by default', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    expect(loadConfig(OIDC).oidc).toEqual({
      issuer: OIDC.OIDC_ISSUER,
      clientId: 'parley',
      clientSecret: 's3cret',
      name: 'login.school.example',
    });
    expect(loadConfig({ ...OIDC, OIDC_NAME: ' School ' }).oidc?.name).toBe('School');
    const local = { ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:4000' };
    expect(loadConfig(local).oidc?.issuer).toBe('http://127.0.0.1:4000');
  });

  it.each([
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET missing/],
    [{ ...OIDC, OIDC_CLIENT_SECRET: '' }, /OIDC_CLIENT_SECRET missing/],
    [{ OIDC_NAME: 'School' }, /OIDC_NAME is set but OIDC_ISSUER is not/],
    [{ ...OIDC, OIDC_ISSUER: 'login.school.example' }, /OIDC_ISSUER must be a URL/],
    [{ ...OIDC, OIDC_ISSUER: 'http://login.school.example' }, /https:\/\/ \(http:\/\/ only/],
    [{ ...OIDC, OIDC_ISSUER: 'https://idp.example/?x=1' }, /without \?query/],
    [{ ...OIDC, OIDC_NAME: 'x'.repeat(41) }, /OIDC_NAME must be 1-40/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: mail', () => {
  const MAIL = {
    SMTP_URL: 'smtps://parley:pw@mail.example.org:465',
    MAIL_FROM: 'parley@example.org',
  };

  it('is off without SMTP_URL, and takes the sender and a timeout with it', () => {
    expect(loadConfig({}).mail).toBeUndefined();
    expect(loadConfig(MAIL).mail).toEqual({
      smtpUrl: MAIL.SMTP_URL,
      from: 'parley@example.org',
      timeoutMs: 10_000,
    });
    const named = {
      ...MAIL,
      MAIL_FROM: 'Parley <parley@example.org>',
      SITE_URL: 'https://meet.example.org/',
    };
    const c = loadConfig({ ...named, SMTP_TIMEOUT_MS: '2000' });
    expect(c.mail).toMatchObject({ from: 'Parley <parley@example.org>', timeoutMs: 2000 });
    // The site is every link's base, mail or not: its origin alone.
    expect(c.siteUrl).toBe('https://meet.example.org');
    expect(loadConfig({}).siteUrl).toBeUndefined();
    expect(loadConfig({ ...MAIL, SMTP_URL: 'smtp://127.0.0.1:2525' }).mail?.smtpUrl).toBe(
      'smtp://127.0.0.1:2525',
    );
  });

  it.each([
    [{ MAIL_FROM: 'parley@example.org' }, /MAIL_FROM is set but SMTP_URL is not/],
    [{ SMTP_URL: MAIL.SMTP_URL }, /MAIL_FROM is not/],
    [{ ...MAIL, SMTP_URL: 'http://mail.example.org' }, /SMTP_URL must start with smtp:\/\//],
    [{ ...MAIL, SMTP_URL: 'mail.example.org' }, /SMTP_URL must be a URL/],
    [{ ...MAIL, MAIL_FROM: 'parley' }, /MAIL_FROM must be an address/],
    [{ ...MAIL, MAIL_FROM: 'a@b.example\r\nBcc: x@y.example' }, /MAIL_FROM must be an address/],
    [{ ...MAIL, SITE_URL: 'https://meet.example.org/app' }, /SITE_URL must be the site alone/],
    [{ ...MAIL, SITE_URL: 'ftp://meet.example.org' }, /SITE_URL must start with https:\/\//],
    [{ ...MAIL, SMTP_TIMEOUT_MS: '10' }, /SMTP_TIMEOUT_MS must be an integer >= 100/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: Web Push (issue 21)', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const publicKey = ecdh.getPublicKey('base64url');
  const raw = ecdh.getPrivateKey();
  // A private key with leading zero bytes comes out shorter: VAPID keys are always 32 bytes.
  const privateKey = Buffer.concat([Buffer.alloc(32 - raw.length), raw]).toString('base64url');
  const other = createECDH('prime256v1');
  other.generateKeys();

  it('generates its keys by default, refuses plain http endpoints and keeps 10 devices', () => {
    expect(loadConfig({}).push).toEqual({
      vapid: undefined,
      subject: 'mailto:parley@localhost',
      httpLoopback: false,
      services: PUSH_SERVICES,
      maxDevices: 10,
    });
  });

  it('takes a configured key pair, subject and limits', () => {
    const push = loadConfig({
      VAPID_PUBLIC_KEY: publicKey,
      VAPID_PRIVATE_KEY: privateKey,
      VAPID_SUBJECT: 'mailto:ops@example.org',
      PUSH_HTTP_LOOPBACK: 'on',
      PUSH_MAX_DEVICES: '3',
      PUSH_SERVICES: 'push.example.org, .push.example.net',
    }).push;
    expect(push).toEqual({
      vapid: { publicKey, privateKey },
      subject: 'mailto:ops@example.org',
      httpLoopback: true,
      services: ['push.example.org', '.push.example.net'],
      maxDevices: 3,
    });
  });

  it('takes an https PUBLIC_URL as the subject when VAPID_SUBJECT is not set', () => {
    const env = { PUBLIC_URL: 'https://meet.example.org' };
    expect(loadConfig(env).push.subject).toBe('https://meet.example.org');
  });

  it.each([
    [
      { VAPID_PUBLIC_KEY: publicKey },
      /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together/,
    ],
    [{ VAPID_PRIVATE_KEY: privateKey }, /must be set together/],
    [{ VAPID_PUBLIC_KEY: 'abc', VAPID_PRIVATE_KEY: privateKey }, /VAPID_PUBLIC_KEY must be/],
    [{ VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: 'short' }, /VAPID_PRIVATE_KEY must be/],
    [
      { VAPID_PUBLIC_KEY: other.getPublicKey('base64url'), VAPID_PRIVATE_KEY: privateKey },
      /not the public half/,
    ],
    [{ VAPID_SUBJECT: 'ops@example.org' }, /VAPID_SUBJECT must be a mailto: address/],
    [{ VAPID_SUBJECT: 'http://example.org' }, /VAPID_SUBJECT/],
    [{ PUSH_HTTP_LOOPBACK: 'yes' }, /PUSH_HTTP_LOOPBACK must be on or off/],
    [{ PUSH_MAX_DEVICES: '0' }, /PUSH_MAX_DEVICES/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
