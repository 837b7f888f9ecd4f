// Walkie-talkie capacity (issue #16): one team, 4 channels, 4 talkers holding the 4 floors,
// listener bots each hearing 1-4 channels, stepped up to 100 listeners on one mediasoup
// worker: worker CPU per forwarded audio packet, loss, and the bots' own CPU.

import type { types } from 'mediasoup';
import type { ChannelId, CreateTeamResponse, ServerMessage } from '@parley/protocol';
import { configureWorkerBinary } from '@parley/sfu';
import { collectConsumers } from '@parley/sfu/testing';
import { ensureMediasoupWorker } from '../../../scripts/build-mediasoup-worker.mjs';
import { TeamMember } from '../../integration/support/teamMember.ts';
import { startLocalServer, type LocalServer } from '../../load/localServer.ts';
import { cpuSeconds } from '../lib/proc.ts';
import { packetsSent, workerCpuSeconds } from '../lib/sfuHarness.ts';
import { round, sleep } from '../lib/stats.ts';
import { ListenerPool, channelsOf, type Counts } from '../lib/walkieListeners.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

const FULL = { steps: [25, 50, 100], processes: 4, warmupMs: 3000, windowMs: 10_000 };
const SMOKE = { steps: [4], processes: 1, warmupMs: 1000, windowMs: 2000 };
const CHANNELS = ['General', 'Ops', 'Floor', 'Dock'];
/**
 * 100 listeners on one core: 100 x 2.5 channels x 50 packets/s = 12,500 packets/s in a
 * second of one core is 80 us a packet (issue #16's capacity goal, as a per-packet budget).
 */
const TARGET_US = 80;
/** A bot process busier than this (cores) is the bots' limit, not the server's. */
const BOT_SATURATED = 0.85;

interface Step {
  listeners: number;
  /** Channel consumers (listener x channel). */
  consumers: number;
  usPerPacket: number;
  packetsPerSecond: number;
  /** What 50 packets/s into every consumer would be. */
  expectedPerSecond: number;
  workerCores: number;
  lossPct: number;
  botCores: number;
  botMaxProcessCores: number;
  silentConsumers: number;
  loadAverage: number;
}

/** Every consumer mediasoup makes in this process (one hook per module). */
let observed: Map<string, types.Consumer> | undefined;

async function startCapacityServer(): Promise<LocalServer> {
  configureWorkerBinary(await ensureMediasoupWorker());
  observed ??= collectConsumers(await import('mediasoup'));
  // 53000-53999: no suite or other scenario uses it.
  return startLocalServer({ meshMaxPeers: 1, rtcPorts: { rtcMinPort: 53000, rtcMaxPort: 53999 } }); // prettier-ignore
}

/** The team, its 4 channels, and 4 talkers each holding one floor and sending. */
async function startTeam(
  url: string,
): Promise<{ teamId: string; channels: ChannelId[]; talkers: TeamMember[] }> {
  const res = await fetch(`${url}/api/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Capacity crew', maxTalkSeconds: 600 }),
  });
  if (res.status !== 201) throw new Error(`create team: HTTP ${res.status}`);
  const team = (await res.json()) as CreateTeamResponse;
  const admin = await TeamMember.join(url, team.id, 'Talker 0', team.hostKey);
  for (const name of CHANNELS.slice(1)) await admin.request({ type: 'channel-add', name });
  const list = await admin.next((m: ServerMessage) => m.type === 'team-channels' && m.channels.length === CHANNELS.length); // prettier-ignore
  if (list.type !== 'team-channels') throw new Error('no channel list');
  const channels = list.channels.map((c) => c.id);
  const talkers = [admin];
  for (let i = 1; i < CHANNELS.length; i++) talkers.push(await TeamMember.join(url, team.id, `Talker ${i}`)); // prettier-ignore
  await Promise.all(talkers.map((t) => t.openMic()));
  for (const [i, t] of talkers.entries()) {
    const reply = await t.request({ type: 'floor-request', channelId: channels[i] });
    if (reply.type !== 'floor') throw new Error(`talker ${i}: ${JSON.stringify(reply)}`);
  }
  return { teamId: team.id, channels, talkers };
}

async function measure(
  server: LocalServer,
  pool: ListenerPool,
  consumerIds: string[],
  windowMs: number,
): Promise<
  Omit<Step, 'listeners' | 'consumers' | 'expectedPerSecond' | 'silentConsumers' | 'loadAverage'>
> {
  const sfu = server.server.sfu;
  if (!sfu || !observed) throw new Error('the server has no SFU');
  const mine = () => consumerIds.flatMap((id) => observed?.get(id) ?? []);
  const bots0 = pool.pids.map(cpuSeconds);
  const [cpu0, sent0, c0] = [await workerCpuSeconds(sfu), await packetsSent(mine()), await pool.counts()]; // prettier-ignore
  const t0 = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - t0) / 1000;
  const [cpu1, sent1, c1] = [await workerCpuSeconds(sfu), await packetsSent(mine()), await pool.counts()]; // prettier-ignore
  const botCpu = pool.pids.map((pid, i) => (cpuSeconds(pid) - (bots0[i] ?? 0)) / seconds);
  const sent = sent1 - sent0;
  const delta = (k: keyof Counts) => c1[k] - c0[k];
  return {
    usPerPacket: round(((cpu1 - cpu0) / Math.max(1, sent)) * 1e6),
    packetsPerSecond: Math.round(sent / seconds),
    workerCores: round((cpu1 - cpu0) / seconds, 3),
    lossPct: round(delta('expected') > 0 ? (100 * delta('lost')) / delta('expected') : 0, 3),
    botCores: round(
      botCpu.reduce((a, b) => a + b, 0),
      3,
    ),
    botMaxProcessCores: round(Math.max(0, ...botCpu), 3),
  };
}

async function run({
  smoke,
  log,
}: {
  smoke: boolean;
  log: (l: string) => void;
}): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const server = await startCapacityServer();
  let team: Awaited<ReturnType<typeof startTeam>> | undefined;
  let pool: ListenerPool | undefined;
  const steps: Step[] = [];
  let stop = 'every step ran';
  try {
    team = await startTeam(server.url);
    const { teamId, channels } = team;
    pool = await ListenerPool.start({ url: server.url, teamId, channels }, plan.processes);
    const consumerIds: string[] = [];
    for (const n of plan.steps) {
      consumerIds.push(...(await pool.grow(n)));
      await sleep(plan.warmupMs);
      log(`  ${n} listeners: measuring for ${plan.windowMs / 1000} s`);
      const m = await measure(server, pool, consumerIds, plan.windowMs);
      const counts = await pool.counts();
      const consumers = Array.from({ length: n }, (_, i) => channelsOf(i, channels).length).reduce((a, b) => a + b, 0); // prettier-ignore
      const step: Step = { listeners: n, consumers, expectedPerSecond: consumers * 50, silentConsumers: counts.silent, loadAverage: round((await import('node:os')).loadavg()[0] ?? 0), ...m }; // prettier-ignore
      steps.push(step);
      log(`  ${n} listeners (${consumers} consumers): ${step.usPerPacket} us/packet, ${step.packetsPerSecond}/${step.expectedPerSecond} packets/s, worker ${step.workerCores} cores, loss ${step.lossPct} %, ${step.silentConsumers} silent, bots ${step.botCores} cores (busiest ${step.botMaxProcessCores}), load ${step.loadAverage}`); // prettier-ignore
      if (step.botMaxProcessCores > BOT_SATURATED) {
        stop = `the bots saturated at ${n} listeners (a bot process at ${step.botMaxProcessCores} of a core)`;
        break;
      }
    }
  } finally {
    await pool?.close();
    // Floors given back first: a floor dropped by a closing socket races the worker's close.
    for (const [i, t] of (team?.talkers ?? []).entries()) await t.request({ type: 'floor-release', channelId: team?.channels[i] }); // prettier-ignore
    await Promise.all((team?.talkers ?? []).map((t) => t.close()));
    await server.close();
  }
  return { figures: figures(steps), details: { steps, stop }, notes: [`Stopped: ${stop}.`] };
}

function figures(steps: Step[]): Figure[] {
  const top = steps.at(-1);
  const out: Figure[] = [];
  for (const s of steps) {
    const n = s.listeners;
    out.push(
      { key: `us_per_packet_n${n}`, label: `worker CPU per forwarded audio packet, ${n} listeners (${s.consumers} consumers)`, value: s.usPerPacket, unit: 'us', ...(s === top ? { target: { op: '<=' as const, value: TARGET_US } } : {}) }, // prettier-ignore
      { key: `worker_cores_n${n}`, label: `worker CPU, ${n} listeners`, value: s.workerCores, unit: 'cores' }, // prettier-ignore
      { key: `packets_per_second_n${n}`, label: `audio packets forwarded per second, ${n} listeners (of ${s.expectedPerSecond})`, value: s.packetsPerSecond, unit: 'pkt/s' }, // prettier-ignore
      { key: `loss_pct_n${n}`, label: `loss at the listeners, ${n} listeners`, value: s.lossPct, unit: '%' }, // prettier-ignore
      { key: `bot_cores_n${n}`, label: `bots' CPU (busiest process ${s.botMaxProcessCores}), ${n} listeners`, value: s.botCores, unit: 'cores' }, // prettier-ignore
    );
  }
  if (top && top.workerCores > 0) {
    out.push({ key: 'packets_per_worker_core', label: `audio packets per second a worker core could forward (at ${top.listeners} listeners)`, value: Math.round(top.packetsPerSecond / top.workerCores), unit: 'pkt/s' }); // prettier-ignore
  }
  return out.filter((f) => Number.isFinite(f.value));
}

export const walkieCapacity: Scenario = {
  name: 'walkie-capacity',
  title: 'Walkie-talkie capacity (4 channels, 100 listeners, one worker)',
  description: [
    "The real server in the bench process (signaling and one mediasoup worker on 127.0.0.1: one core), a team made with `POST /api/teams` and 4 channels. 4 talkers (werift team members, `tests/integration/support/teamMember.ts`, in the bench process) each hold one channel's floor and send Opus-like RTP, 60-byte payloads at 50 packets/s; the server forwards the floor holder of each channel into that channel's stream (`sfu/src/channelBus.ts`) and from there to every listener's channel consumer.",
    "Listeners are the same werift members with the load bots' lean receive path (`tests/load/leanReceive.ts`), spread round-robin over 4 bot processes (`tests/bench/lib/walkieListeners.ts`); listener i hears 1 + (i mod 4) channels from channel i mod 4 on, so 2.5 channels on average and every channel equally loaded. Steps of 25, 50 and 100 listeners in the same team (joined, every receive transport connected, 3 s warm-up, 10 s measured); it stops early once a bot process passes 0.85 of a core.",
    "Worker CPU from `Sfu.resourceUsage()` (getrusage of the worker, as `parley_sfu_worker_cpu_seconds` on `/metrics`), forwarded packets from the worker's own counters of the listeners' consumers (`outbound-rtp.packetCount`); figure = CPU seconds / packets: it includes the worker's receiving of the 4 talkers' 200 packets/s and the channel bus. Loss: expected (from sequence numbers) minus received at the bots. As in `webrtc-fanout`, this kernel charges the loopback delivery into a bot's socket to the worker. `--smoke`: 4 listeners, one process, 2 s.",
  ].join('\n\n'),
  target:
    '<= 80 us of worker CPU per forwarded audio packet at the largest step (100 listeners x 2.5 channels x 50 packets/s = 12,500 packets/s on one core)',
  anchor:
    "`webrtc-fanout` (one publisher's audio and video to 100 subscribers, 13.3 us a packet on a quiet machine) and `audio-only` (17.6 us a packet, signaling included): the same worker's per-packet cost for video-sized and plain audio forwarding.",
  analysis: [
    '**On a quiet machine (2026-12-05 19:02 UTC; the table above):** 100 listeners (250 channel consumers) cost the worker 0.20 of a core for 12,365 forwarded packets/s, 16.2 us a packet, no loss; 25 and 50 listeners 22.8 and 17.1 us (fixed costs spread over fewer packets). At that rate one worker core forwards ~61,500 audio packets/s: 100 listeners of 4 channels use a fifth of it. The bots (0.46 of a core) were far from saturating. The paragraphs below are from a run on a loaded machine.',
    "**Meets the budget by ~6x** (2026-12-05 18:51 UTC, load average 6.8 at the start, 9.1 at most, on 2 cores shared with other sessions): at 100 listeners (250 channel consumers) the worker used 0.152 of a core for 11,203 forwarded packets/s, **13.5 us a packet**, 0 % loss, every consumer receiving; 16.4 us at 50 listeners, 23.1 us at 25 (the per-transport timers and the talkers' side spread over fewer packets). That is ~73,700 audio packets/s a worker core, ~590 listeners of 2.5 channels each if it stayed linear (not measured). One full run: no spread over runs yet.",
    "The bots were not the limit: 0.37 of a core in 4 processes, the busiest 0.12, so the steps stopped at the issue's 100 listeners, not at saturation. Packets/s were 90 % of the nominal 12,500 with no loss: the 4 talkers' 20 ms timers in the loaded bench process fire late (~45 packets/s each), and the listeners' sequence numbers stay contiguous.",
    "The per-packet cost is that of plain fan-out (`webrtc-fanout`, 13.3 us at 100 subscribers on a quiet machine): the channel bus (each talker packet through a DirectTransport into its channel's producer, 200 packets/s) is spread over 56 times as many forwarded packets. As there, the figure includes the kernel's loopback delivery into the bots' sockets, which a real NIC would not charge to the worker. No published multi-channel push-to-talk figures are in the prior-art notes to compare with.",
  ].join('\n\n'),
  run: (options) => run(options),
};
