// A Web Push service on a loopback port, and a device's side of the encryption, written from the
// RFCs with node's crypto (not web-push) so that the test checks the server against the spec:
// RFC 8030 (the push request), RFC 8188 (aes128gcm), RFC 8291 (the keys), RFC 8292 (VAPID).
import { createDecipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A browser's push subscription keys: an ECDH P-256 pair and a 16-byte auth secret. */
export interface Device {
  publicKey: Buffer;
  privateKey: Buffer;
  auth: Buffer;
  /** As `PushSubscription.toJSON().keys` gives them. */
  keys: { p256dh: string; auth: string };
}

export function newDevice(): Device {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const auth = randomBytes(16);
  const keys = { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') };
  return { publicKey, privateKey: ecdh.getPrivateKey(), auth, keys };
}

const hmac = (key: Buffer, ...data: Buffer[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
};
/** HKDF (RFC 5869) with an output of at most one hash: extract, then one expand block. */
const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer =>
  hmac(hmac(salt, ikm), info, Buffer.from([1])).subarray(0, length);

/** Decrypts an aes128gcm push message body (one record) for `device`; throws when it cannot. */
export function decryptPush(body: Buffer, device: Device): string {
  // RFC 8188, 2.1: salt (16) | record size (uint32) | key id length (1) | key id.
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idLength); // RFC 8291, 4: the sender's public key
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error('more than one record: not what we send');
  // RFC 8291, 3.3 and 3.4: the input keying material from ECDH and the auth secret.
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(device.privateKey);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), device.publicKey, senderKey]);
  const ikm = hkdf(device.auth, shared, keyInfo, 32);
  // RFC 8188, 2.2 and 2.3: the content key and nonce (the first record's: sequence 0).
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()]);
  // The last record ends in 0x02 and then zero or more 0x00 of padding (RFC 8188, 2).
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('the last record does not end with the 0x02 delimiter');
  return plain.subarray(0, end).toString('utf8');
}

export interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The push service: records every request; answers 201, or what `answer` says for a path. */
export interface PushService {
  url: string;
  received: PushRequest[];
  /** Status codes by path, for devices that are gone (410) or a service that fails (500). */
  answer: Map<string, number>;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const received: PushRequest[] = [];
  const answer = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.get(path) ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
