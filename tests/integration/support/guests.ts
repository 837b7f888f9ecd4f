// Sockets as a browser opens them: with the guest cookie the server issued it, so the server
// knows the person (auth/guestIdentity.ts) across tabs, reloads and restarts.
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import { TestClient } from './client.ts';

/** A browser's guest cookie: the one the server sets on its first WebSocket upgrade. */
export function guestCookie(baseUrl: string): Promise<string> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  return new Promise((resolve, reject) => {
    ws.once('upgrade', (res) => {
      resolve(res.headers['set-cookie']?.[0]?.split(';')[0] ?? '');
      ws.close();
    });
    ws.once('error', reject);
  });
}

/**
 * A tab of the browser holding `cookie`, joined to `roomId` (audio only); added to `opened`
 * for the test's cleanup.
 */
export async function guestTab(
  opened: TestClient[],
  baseUrl: string,
  cookie: string,
  roomId: string,
  name: string,
  extra: object = {},
): Promise<{ c: TestClient; joined: ServerMessageOf<'joined'> }> {
  const c = await TestClient.connect(baseUrl, { headers: { cookie } });
  opened.push(c);
  await c.request({ type: 'hello', version: PROTOCOL_VERSION });
  const media = { audio: true, video: false };
  const joined = await c.request({ type: 'join', roomId, name, media, ...extra });
  if (joined.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(joined)}`);
  return { c, joined };
}
