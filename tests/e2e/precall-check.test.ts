import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freeTcpUdpPort, startLocalCoturn } from '@parley/turn';
import type { LocalCoturn } from '@parley/turn';
import { SLOW_UPLINK_KBPS } from '../../app/src/precall/verdict.ts';
import { Bot } from '../load/Bot.ts';
import { newPeerPage } from './support/browser.ts';
import { createRoom } from './support/call.ts';
import { NetRig } from './support/netns.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/** Opens the pre-join, runs "Test my connection" and returns what the result region says. */
async function testConnection(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await page.getByLabel('Your name').waitFor();
  const result = page.locator('#net-check-result');
  // The quick part's answer first, as a person reads it before pressing: a press in the first
  // half second of a fresh page was lost once in three runs (the check seemed to start over).
  await result.locator('.net-check-verdict').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Test my connection' }).click();
  await result
    .getByRole('list', { name: 'Connection test results' })
    .waitFor({ timeout: 30_000 })
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the check said: ${await result.innerText()}`);
    });
  return (await result.innerText()).replace(/\s+/g, ' ');
}

// The pre-join connection check (issue 20) against a real coturn, from a browser inside a
// network namespace whose network the rig really impairs.
describe('the pre-join connection check', () => {
  let rig: NetRig;
  let coturn: LocalCoturn;
  let server: TestServer;
  let inside: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    rig = await NetRig.create();
    coturn = await startLocalCoturn({
      ip: rig.hostIp,
      port: await freeTcpUdpPort(),
      minPort: 49500,
      maxPort: 49599,
    });
    server = await startTestServer({
      host: rig.hostIp,
      turn: { urls: coturn.urls, secret: coturn.secret },
    });
    inside = await rig.launchChromium({ secureOrigins: [server.url] });
    ({ page } = await newPeerPage(inside, { label: 'inside' }));
    url = await createRoom(page, server.url);
  });
  afterAll(async () => {
    await inside?.close();
    await server?.close();
    await coturn?.stop();
    await rig?.close();
  });

  it('says all is well on an open network, with an upload figure', async () => {
    const said = await testConnection(page, url);
    expect(said).toMatch(/All is well/);
    expect(said).toMatch(/Relay \(TURN\) over UDP: works/);
    expect(said).toMatch(/Relay \(TURN\) over TCP: works/);
    expect(said).toMatch(/Data through the relay: passes/);
    expect(said).toMatch(/Upload speed: about [\d.]+ (k|M)bit\/s/);
  });

  it('says UDP is blocked and the relay works when only TCP gets through', async () => {
    await rig.impair({ blockUdp: true });
    try {
      const said = await testConnection(page, url);
      expect(said).toMatch(/Your network blocks UDP; calls will use the relay \(TURN over TCP\)/);
      expect(said).toMatch(/Relay \(TURN\) over UDP: cannot be reached/);
      expect(said).toMatch(/Relay \(TURN\) over TCP: works/);
      expect(said).toMatch(/Data through the relay: passes/);
    } finally {
      await rig.clear();
    }
  });

  // The figure itself moves with the machine's load (SCTP's sawtooth against the cap's queue,
  // relay and DTLS overhead: ~70 % of the cap here when idle, 50 % under a full test run; at
  // 150 kbit/s only a chunk or two arrive, and the figure reads ~60), so
  // what is checked is what the person is told: a 1 Mbit/s upload is fine, 150 kbit/s is slow.
  it('estimates the upload below a 1000 kbit/s cap, and does not call it slow', async () => {
    await rig.impair({ rateKbit: 1000 });
    try {
      const said = await testConnection(page, url);
      const kbps = Number(/Upload speed: about (\d+) kbit\/s/.exec(said)?.[1]);
      console.log(`precall-check: upload about ${kbps} kbit/s under a 1000 kbit/s cap`);
      expect(kbps, said).toBeGreaterThan(SLOW_UPLINK_KBPS);
      expect(kbps, said).toBeLessThanOrEqual(1000);
      expect(said).toMatch(/All is well/);
    } finally {
      await rig.clear();
    }
  });

  it('says the upload is slow under a 150 kbit/s cap', async () => {
    await rig.impair({ rateKbit: 150 });
    try {
      const said = await testConnection(page, url);
      const kbps = Number(/Upload speed: about (\d+) kbit\/s/.exec(said)?.[1]);
      console.log(`precall-check: upload about ${kbps} kbit/s under a 150 kbit/s cap`);
      expect(kbps, said).toBeLessThan(SLOW_UPLINK_KBPS);
      expect(said).toMatch(/Your upload is slow \(about \d+ kbit\/s\)/);
    } finally {
      await rig.clear();
    }
  });

  it('says the relay cannot be reached when TURN is down', async () => {
    await coturn.stop();
    const said = await testConnection(page, url);
    expect(said).toMatch(/The relay \(TURN\) cannot be reached/);
    expect(said).toMatch(/Server: reachable/);
  });
});

// In a meeting on the SFU the pre-join warms a receive transport (warmTransport.ts): the check
// reports whether that ICE connected, i.e. whether the SFU is reachable without the relay.
describe('the pre-join connection check, for a meeting on the SFU', () => {
  let rig: NetRig;
  let coturn: LocalCoturn;
  let server: TestServer;
  let inside: Browser;
  let page: Page;
  let url: string;
  const bots: Bot[] = [];

  beforeAll(async () => {
    rig = await NetRig.create();
    coturn = await startLocalCoturn({
      ip: rig.hostIp,
      port: await freeTcpUdpPort(),
      minPort: 49600,
      maxPort: 49699,
    });
    // One person fills the mesh: two bots make a meeting on the SFU.
    server = await startTestServer({
      host: rig.hostIp,
      sfu: true,
      meshMaxPeers: 1,
      turn: { urls: coturn.urls, secret: coturn.secret },
    });
    const res = await fetch(`${server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    const { id, hostKey } = (await res.json()) as { id: string; hostKey: string };
    for (const name of ['bot-a', 'bot-b']) {
      const bot = new Bot({ url: server.url, roomId: id, name, hostKey, publish: [] });
      bots.push(bot);
      await bot.join();
    }
    url = `${server.url}/r/${id}`;
    inside = await rig.launchChromium({ secureOrigins: [server.url] });
    ({ page } = await newPeerPage(inside, { label: 'inside' }));
  });
  afterAll(async () => {
    await inside?.close();
    await Promise.all(bots.map((b) => b.close()));
    await server?.close();
    await coturn?.stop();
    await rig?.close();
  });

  it('says the media server is reachable directly on an open network', async () => {
    const said = await testConnection(page, url);
    expect(said).toMatch(/Media server: reachable directly/);
    expect(said).toMatch(/All is well/);
  });

  // The SFU's WebRtcServer listens on TCP too (sfu/src/sfu.ts): blocking UDP leaves it reachable.
  it('says UDP is blocked and the media server answers over TCP', async () => {
    await rig.impair({ blockUdp: true });
    try {
      const said = await testConnection(page, url);
      expect(said).toMatch(/Media server: reachable directly/);
      expect(said).toMatch(/Relay \(TURN\) over UDP: cannot be reached/);
      expect(said).toMatch(
        /Your network blocks UDP; calls will use TCP to the media server, or the relay \(TURN over TCP\)/,
      );
    } finally {
      await rig.clear();
    }
  });
});
