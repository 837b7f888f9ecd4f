// Packet and bit rates of a walkie-talkie talker (issue #16): what its Opus encoder sends and
// what a listener and the floor page receive while it holds the floor. The walkie-latency
// bench compares 20 ms and 10 ms Opus frames; this proves each talker sends what it says.

import type { Page } from 'playwright-core';
import type { AudioFloor } from './audioFloor.ts';
import { round, sleep } from './stats.ts';
import * as probe from './walkieProbe.ts';

/** Opus frame length, ms: libwebrtc's default (the app's) or 10 (`opusPtime: 10`). */
export type Ptime = 20 | 10;

/**
 * What a hold of one talker showed, per second: its encoder's packets and kbit/s (RTP payload
 * and RTP headers apart), the listener's, and the floor page's. Flat: a table row.
 */
export interface PacketCheck {
  when: 'before' | 'after';
  ptimeMs: Ptime;
  talkerSentPps: number;
  listenerPps: number;
  listenerPayloadKbps: number;
  listenerRtpHeaderKbps: number;
  floorPps: number;
  floorPayloadKbps: number;
}

export interface CheckRig {
  talkers: Record<Ptime, Page>;
  listener: Page;
  floors: Record<Ptime, AudioFloor>;
  /** The listener's silence before a press, and how it detects the tone. */
  quiet: Parameters<typeof probe.listenerQuiet>[0];
  detect: Omit<probe.DetectArgs, 'ptimeMs'>;
  /** A selector for the talker's Hold to talk button with the floor free. */
  idle: string;
  holdMs: number;
  log: (line: string) => void;
}

/** Packets, payload and header kbit/s per second between two totals. */
function rate(a: probe.RtpTotals, b: probe.RtpTotals): [number, number, number] {
  const perS = (x: number) => (1000 * x) / (b.at - a.at);
  return [
    round(perS(b.packets - a.packets), 1),
    round(perS(8 * (b.payloadBytes - a.payloadBytes)) / 1000, 1),
    round(perS(8 * (b.headerBytes - a.headerBytes)) / 1000, 1),
  ];
}

/**
 * The talker of `ptimeMs` holds the floor for `holdMs` once the tone is heard: packets per
 * second sent by its encoder and received by the listener (100 for 10 ms frames, 50 for 20),
 * then the same on its floor page.
 */
async function packetCheck(
  rig: CheckRig,
  ptimeMs: Ptime,
  when: PacketCheck['when'],
): Promise<PacketCheck> {
  const { listener } = rig;
  const talker = rig.talkers[ptimeMs];
  await talker.locator(rig.idle).waitFor();
  if (!(await listener.evaluate(probe.listenerQuiet, rig.quiet))) throw new Error('no silence at the listener'); // prettier-ignore
  await listener.evaluate(probe.armListener, { ...rig.detect, ptimeMs });
  await talker.mouse.down();
  try {
    const heard = await listener.evaluate(probe.listenerHeard);
    if (!Number.isFinite(heard.heardAt)) throw new Error(`the ${ptimeMs} ms talker was not heard`); // prettier-ignore
    const totals = () => Promise.all([talker.evaluate(probe.packetTotals), listener.evaluate(probe.packetTotals)]); // prettier-ignore
    const [t0, l0] = await totals();
    await sleep(rig.holdMs);
    const [t1, l1] = await totals();
    const floor = await rig.floors[ptimeMs].packetRate(rig.holdMs);
    const [talkerSentPps] = rate(t0.sent, t1.sent);
    const [listenerPps, listenerPayloadKbps, listenerRtpHeaderKbps] = rate(l0.received, l1.received); // prettier-ignore
    return {
      when, ptimeMs, talkerSentPps, listenerPps, listenerPayloadKbps, listenerRtpHeaderKbps,
      floorPps: round(floor.pps, 1), floorPayloadKbps: round(floor.payloadKbps, 1),
    }; // prettier-ignore
  } finally {
    await talker.mouse.up();
    await talker.locator(rig.idle).waitFor();
  }
}

/** Halfway between 20 ms frames' 50 packets a second and 10 ms frames' 100. */
const TEN_MS_PPS = 75;

/**
 * Both talkers' checks. Throws when the 10 ms talker or its floor does not send 10 ms frames
 * (or the 20 ms ones do): a mode that silently sends 20 ms frames would measure nothing.
 */
export async function packetChecks(
  rig: CheckRig,
  when: PacketCheck['when'],
): Promise<PacketCheck[]> {
  const out = [await packetCheck(rig, 20, when), await packetCheck(rig, 10, when)];
  for (const c of out) rig.log(`  ${c.ptimeMs} ms talker: sent ${c.talkerSentPps} pkt/s, listener got ${c.listenerPps} pkt/s ${c.listenerPayloadKbps} kbit/s, floor ${c.floorPps} pkt/s`); // prettier-ignore
  for (const c of out) {
    for (const k of ['talkerSentPps', 'listenerPps', 'floorPps'] as const) {
      const tenMs = c[k] > TEN_MS_PPS;
      if (tenMs !== (c.ptimeMs === 10)) throw new Error(`${c.ptimeMs} ms talker: ${k} ${c[k]}`);
    }
  }
  return out;
}
