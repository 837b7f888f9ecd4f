// Two MeshLinks (real werift peer connections on loopback) wired through an in-memory relay
// that behaves like the app's Mesh: a signal for a link it has no offer of yet is dropped.

import { afterEach, describe, expect, it } from 'vitest';
import { MeshLink } from '../../load/MeshLink.ts';
import { readRelay } from '../../load/meshSignal.ts';
import type { SimpleSignal } from '../../load/meshSignal.ts';
import { eventually } from '../support/client.ts';

const links: MeshLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

describe('MeshLink', () => {
  it('sends its description before any candidate, and connects to another link', async () => {
    const sent: { from: 'a' | 'b'; signal: SimpleSignal }[] = [];
    let b: MeshLink | undefined;
    const relay = (from: 'a' | 'b') => (data: Record<string, unknown>) => {
      const got = readRelay(data);
      if (got.what !== 'signal') throw new Error(`not a signal: ${JSON.stringify(data)}`);
      sent.push({ from, signal: got.signal });
      if (from === 'b') return a.signal(got.signal);
      // The app's Mesh: no link yet, so only an offer makes one.
      if (!b && got.signal.type !== 'offer') return;
      b ??= track(new MeshLink(got.link, false, true, events('b')));
      b.signal(got.signal);
    };
    const connected = new Set<string>();
    const events = (name: 'a' | 'b') => ({
      signal: relay(name),
      connected: () => connected.add(name),
      closed: (reason: string) => {
        throw new Error(`${name} closed: ${reason}`);
      },
      keyframeRequest: () => undefined,
    });
    const track = (l: MeshLink) => (links.push(l), l);
    const a = track(new MeshLink('link-1', true, true, events('a')));

    await eventually(() => connected.size === 2, 10_000);
    const first = (name: 'a' | 'b') => sent.find((s) => s.from === name)?.signal.type;
    expect([first('a'), first('b')]).toEqual(['offer', 'answer']);
    expect(sent.filter((s) => s.signal.type === 'candidate').length).toBeGreaterThan(0);
    expect([a.connected, b?.connected]).toEqual([true, true]);
  });
});
