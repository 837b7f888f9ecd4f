// #14: co-hosts moderate guests, but the host's own powers stay the host's: the password, the
// host's mic and camera, roles, the broadcast and the end (permissions.ts: RULES, SETTING_RULES,
// TARGETS).
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: true };
const PASSWORD = 'correct horse battery';
let devices = 0;

async function meeting() {
  const server = await startTestServer();
  servers.push(server);
  const room = await server.createRoom({ settings: { waitingRoom: false }, password: PASSWORD });
  const arrive = async (name: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.ready(server.url);
    const deviceId = `cohost-device-${++devices}-00000000`;
    const join = { type: 'join', roomId: room.id, name, media, deviceId, ...extra };
    const reply = await client.request(join);
    return { client, reply, peerId: reply.type === 'joined' ? reply.peerId : '' };
  };
  const host = await arrive('Host', { hostKey: room.hostKey });
  const cohost = await arrive('Co', { password: PASSWORD });
  const guest = await arrive('Guest', { password: PASSWORD });
  await host.client.request({ type: 'set-role', peerId: cohost.peerId, role: 'cohost' });
  await cohost.client.next((m) => m.type === 'role');
  return { arrive, host, cohost, guest };
}

describe('a co-host', () => {
  it('cannot remove or replace the room password; the host can', async () => {
    const { arrive, host, cohost } = await meeting();
    for (const password of [null, 'a password of my own']) {
      const reply = await cohost.client.request({ type: 'settings', settings: { password } });
      expect(reply, String(password)).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    }
    // Not even bundled with a change the co-host may make: nothing of it applies.
    const bundled = { type: 'settings', settings: { locked: true, password: null } };
    expect(await cohost.client.request(bundled)).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    // The room still asks for its password, and is not locked.
    expect((await arrive('Stranger')).reply).toMatchObject({ code: ERROR_CODES.ROOM_NOT_FOUND });
    expect((await arrive('Friend', { password: PASSWORD })).reply).toMatchObject({
      type: 'joined',
    });
    expect(host.client.of('settings')).toHaveLength(0);
    // The switches of the meeting are the co-host's too; the password is the host's.
    const lock = { type: 'settings', settings: { locked: true } };
    expect(await cohost.client.request(lock)).toMatchObject({ type: 'settings' });
    const open = { type: 'settings', settings: { password: null, locked: false } };
    expect(await host.client.request(open)).toMatchObject({
      type: 'settings',
      settings: { hasPassword: false, locked: false },
    });
  });

  it('cannot mute, stop the camera of, or remove the host; moderates guests', async () => {
    const { host, cohost, guest } = await meeting();
    for (const attempt of [
      { type: 'mute', peerId: host.peerId, kind: 'audio' },
      { type: 'mute', peerId: host.peerId, kind: 'video' },
      { type: 'remove', peerId: host.peerId },
      { type: 'set-role', peerId: cohost.peerId, role: 'guest' },
      { type: 'broadcast', live: true },
      { type: 'end' },
    ]) {
      expect(await cohost.client.request(attempt), JSON.stringify(attempt)).toMatchObject({
        code: ERROR_CODES.FORBIDDEN,
      });
    }
    // Nothing reached the host: no `muted`, no removal, and its media flags are as they were.
    expect(host.client.of('muted')).toHaveLength(0);
    expect(host.client.of('removed')).toHaveLength(0);
    expect(guest.client.of('peer-updated').filter((m) => m.peer.peerId === host.peerId)).toEqual(
      [],
    );
    const muteGuest = { type: 'mute', peerId: guest.peerId, kind: 'audio' };
    expect(await cohost.client.request(muteGuest)).toMatchObject({ type: 'ok' });
    await guest.client.next((m) => m.type === 'muted');
    expect(await cohost.client.request({ type: 'remove', peerId: guest.peerId })).toMatchObject({
      type: 'ok',
    });
  });
});
