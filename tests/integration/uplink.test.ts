import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: true };
let devices = 0;

async function meeting() {
  const server = await startTestServer();
  servers.push(server);
  const room = await server.createRoom({ settings: { waitingRoom: false } });
  const arrive = async (name: string) => {
    const client = await TestClient.ready(server.url);
    const deviceId = `uplink-${++devices}-0000000000`;
    const reply = await client.request({ type: 'join', roomId: room.id, name, media, deviceId });
    if (reply.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    return { client, reply };
  };
  return { arrive };
}

const updatesOf = (client: TestClient) =>
  client.of('peer-updated').map((m: ServerMessageOf<'peer-updated'>) => m.peer.uplink);

// `uplink`: a person's own measurement of what they send, so the others' tiles can say whose
// connection is poor (issue 20).
describe('uplink reports', () => {
  it('reach the others as peer-updated, once per change, and newcomers in joined', async () => {
    const { arrive } = await meeting();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const poor = { quality: 'poor', cause: 'loss' } as const;
    expect(await ann.client.request({ type: 'uplink', uplink: poor })).toMatchObject({
      type: 'ok',
    });
    const seen = await bob.client.next((m) => m.type === 'peer-updated');
    expect(seen).toMatchObject({ peer: { name: 'Ann', uplink: poor } });

    // The same report again is no news; a newcomer learns it with the room.
    await ann.client.request({ type: 'uplink', uplink: poor });
    const cy = await arrive('Cy');
    expect(cy.reply.peers.find((p) => p.name === 'Ann')?.uplink).toEqual(poor);
    expect(cy.reply.peers.find((p) => p.name === 'Bob')?.uplink).toBeUndefined();

    // Good again: the field goes away for everyone.
    await ann.client.request({ type: 'uplink', uplink: { quality: 'good' } });
    await bob.client.next((m) => m.type === 'peer-updated' && m.peer.uplink === undefined);
    await cy.client.next((m) => m.type === 'peer-updated' && m.peer.uplink === undefined);
    expect(updatesOf(bob.client)).toEqual([poor, undefined]);
    // Ann hears nothing of her own reports.
    expect(ann.client.of('peer-updated').filter((m) => m.peer.name === 'Ann')).toEqual([]);
  });

  it('keep a paused video in the room while the connection measures good again', async () => {
    const { arrive } = await meeting();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const paused = { quality: 'good', videoPaused: true } as const;
    await ann.client.request({ type: 'uplink', uplink: paused });
    await bob.client.next((m) => m.type === 'peer-updated' && m.peer.uplink?.videoPaused === true);
    const cy = await arrive('Cy');
    expect(cy.reply.peers.find((p) => p.name === 'Ann')?.uplink).toEqual(paused);

    await ann.client.request({ type: 'uplink', uplink: { quality: 'good' } });
    await cy.client.next((m) => m.type === 'peer-updated' && m.peer.uplink === undefined);
    expect(updatesOf(bob.client)).toEqual([paused, undefined]);
  });

  it('refuses a quality or cause it does not know, changing nothing', async () => {
    const { arrive } = await meeting();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const bad = [
      { quality: 'awful' },
      { quality: 'poor', cause: 'cosmic rays' },
      { quality: 'poor', videoPaused: false },
    ];
    for (const uplink of bad) {
      const reply = await ann.client.request({ type: 'uplink', uplink } as never);
      expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.BAD_MESSAGE });
    }
    await ann.client.request({ type: 'ping' });
    expect(bob.client.of('peer-updated')).toEqual([]);
  });
});
