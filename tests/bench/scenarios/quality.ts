// Connection quality under a real impairment (issue 20): how soon the others see a person's
// connection as poor or lost, and how soon video is back when the network is.

import type { Page } from 'playwright-core';
import { linkStats } from '../../e2e/support/call.ts';
import { impairedCall } from '../lib/impairedCall.ts';
import { waitFor } from '../../e2e/support/wait.ts';
import { round, sleep, summarize } from '../lib/stats.ts';
import type { Figure, Scenario, ScenarioOutput } from '../types.ts';

const FULL = { rounds: 8 };
const SMOKE = { rounds: 1 };

/** How long after `since` the watcher's tile of the impaired person shows one of `levels`. */
async function shows(
  watcher: Page,
  levels: string[],
  since: number,
  timeoutMs = 30_000,
): Promise<number> {
  await waitFor(
    `the impaired tile to show ${levels.join(' or ')}`,
    async () => {
      const tile = watcher.locator('figure[data-peer-name="Impaired"]');
      if (levels.includes((await tile.getAttribute('data-quality')) ?? '')) return true;
      // Thrown, so that a timeout says what the tile showed.
      throw new Error(String(await tile.locator('.quality-bars').getAttribute('title')));
    },
    { timeoutMs, intervalMs: 50 },
  );
  return Date.now() - since;
}

/** The watcher's tile of the impaired person says their video is paused. */
async function pausedNote(watcher: Page): Promise<boolean> {
  const note = watcher.locator('figure[data-peer-name="Impaired"] .tile-note');
  return (await note.count()) > 0;
}

/** Video frames the watcher has decoded from the impaired person (one mesh link). */
async function frames(watcher: Page): Promise<number> {
  return (await linkStats(watcher)).reduce((sum, l) => sum + l.framesDecoded, 0);
}

async function run({ smoke, log }: { smoke: boolean; log: (l: string) => void }) {
  const plan = smoke ? SMOKE : FULL;
  const { rig, watcher, close } = await impairedCall();
  const lossToPoor: number[] = [];
  const toPoor: number[] = [];
  const toPaused: number[] = [];
  const resumed: number[] = [];
  const toLost: number[] = [];
  const videoBack: number[] = [];
  try {
    for (let i = 0; i < plan.rounds; i++) {
      // Settled and good again before each round: the hysteresis recovers slowly, and after an
      // outage the sender's bandwidth estimate climbs back over tens of seconds.
      await shows(watcher, ['good', 'fair'], Date.now(), 120_000);
      await sleep(2_000);

      // A fifth of the packets lost each way; then settled again, video shown, before the cap.
      let t0 = Date.now();
      await rig.impair({ lossPercent: 20 });
      lossToPoor.push(await shows(watcher, ['poor', 'lost'], t0));
      await rig.clear();
      await shows(watcher, ['good', 'fair'], Date.now(), 120_000);
      await waitFor('the impaired video to show', async () => !(await pausedNote(watcher)), {
        timeoutMs: 120_000,
        intervalMs: 250,
      });
      await sleep(2_000);

      t0 = Date.now();
      await rig.impair({ rateKbit: 150 });
      toPoor.push(await shows(watcher, ['poor', 'lost'], t0));
      // The cap holds: the impaired person's video pauses (the audio-only fallback)...
      await waitFor('the impaired video to pause', () => pausedNote(watcher), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      toPaused.push(Date.now() - t0);
      await sleep(2_000);
      // ...and comes back once the cap is lifted: a probe finds room again.
      t0 = Date.now();
      await rig.clear();
      await waitFor('the impaired video to resume', async () => !(await pausedNote(watcher)), {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      resumed.push(Date.now() - t0);

      t0 = Date.now();
      await rig.impair({ blockAll: true });
      toLost.push(await shows(watcher, ['lost'], t0));
      await sleep(3_000);

      const before = await frames(watcher);
      t0 = Date.now();
      await rig.clear();
      await waitFor('video to come back', async () => (await frames(watcher)) > before + 5, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      videoBack.push(Date.now() - t0);
      log(
        `round ${i + 1}: loss to poor ${lossToPoor[i]} ms, poor ${toPoor[i]} ms, paused ${toPaused[i]} ms, resumed ${resumed[i]} ms, lost ${toLost[i]} ms, video back ${videoBack[i]} ms`,
      );
    }
  } finally {
    await close();
  }
  const lossPoor = summarize(lossToPoor);
  const poor = summarize(toPoor);
  const paused = summarize(toPaused);
  const back2 = summarize(resumed);
  const lost = summarize(toLost);
  const back = summarize(videoBack);
  const figures: Figure[] = [
    {
      key: 'loss_to_poor_p50_ms',
      label: '20 % loss to "poor" on the other screen, p50',
      value: round(lossPoor.p50),
      unit: 'ms',
      target: { op: '<=', value: 3_000 },
    },
    {
      key: 'loss_to_poor_max_ms',
      label: '20 % loss to "poor", worst',
      value: round(lossPoor.max),
      unit: 'ms',
    },
    {
      key: 'to_poor_p50_ms',
      label: '150 kbit/s cap to "poor" on the other screen, p50',
      value: round(poor.p50),
      unit: 'ms',
      target: { op: '<=', value: 3_000 },
    },
    {
      key: 'to_paused_p50_ms',
      label: '150 kbit/s cap to "Video paused" on the other screen, p50',
      value: round(paused.p50),
      unit: 'ms',
    },
    {
      key: 'resumed_p50_ms',
      label: 'cap lifted to the paused video shown again, p50',
      value: round(back2.p50),
      unit: 'ms',
      target: { op: '<=', value: 10_000 },
    },
    {
      key: 'resumed_max_ms',
      label: 'cap lifted to the paused video shown again, worst',
      value: round(back2.max),
      unit: 'ms',
    },
    {
      key: 'to_lost_p50_ms',
      label: 'dead network to "Connection lost" on the other screen, p50',
      value: round(lost.p50),
      unit: 'ms',
      target: { op: '<=', value: 2_000 },
    },
    {
      key: 'to_lost_max_ms',
      label: 'dead network to "Connection lost", worst',
      value: round(lost.max),
      unit: 'ms',
    },
    {
      key: 'video_back_p50_ms',
      label: '3 s outage over to video decoding again, p50',
      value: round(back.p50),
      unit: 'ms',
    },
    {
      key: 'video_back_max_ms',
      label: '3 s outage over to video decoding again, worst',
      value: round(back.max),
      unit: 'ms',
    },
  ];
  return {
    figures,
    details: {
      rounds: plan.rounds,
      lossToPoorMs: lossToPoor,
      toPoorMs: toPoor,
      toPausedMs: toPaused,
      resumedMs: resumed,
      toLostMs: toLost,
      videoBackMs: videoBack,
    },
    notes: [
      "One Chromium on the host watches one Chromium in a network namespace (support/netns.ts), in a mesh call; the times run from the rig command to the watcher's tile changing, polled every 50 ms.",
    ],
  } satisfies ScenarioOutput;
}

export const quality: Scenario = {
  name: 'quality',
  title: 'Connection quality under impairment',
  description:
    'A mesh call between a Chromium page on the host and one in a network namespace of its own (`tests/e2e/support/netns.ts`: veth, `tc tbf`, nftables). Each round first drops 20 % of the packets each way and times until the host page shows the impaired tile "poor", then clears it and waits until all is good again; it then caps the namespace at 150 kbit/s each way and times until the host page shows the impaired tile "poor", and until it says "Video paused - poor connection" (the audio-only fallback); 2 s later lifts the cap and times until the paused video is shown again; then drops everything and times until it shows "Connection lost"; after 3 s lifts every limit and times until the host page decodes the impaired video again. The times include the app\'s 500 ms sampling, its 2 s measuring window, the uplink report through the server, and the 50 ms polling of the page.',
  target:
    '"poor" within 3 s and "Connection lost" within 2 s on the others\' screens; paused video back within 10 s of the limit lifted (issue 20)',
  anchor:
    'LiveKit and Jitsi show connection quality from the same statistics; the issue saw a frozen tile look healthy for 5 s and "Reconnecting..." after 12 s before this work.',
  analysis: [
    'The run above (2026-12-07 07:18) shared the machine with two other jobs (lint, unit tests: load average 6.8-9.1), and shows it: 20 % loss was "poor" after 1,329-2,007 ms, the 150 kbit/s cap after 1,474-3,059 ms, "Video paused" came 4.2-5.4 s into the cap but 18.8 s in two rounds, paused video back 5,243-6,092 ms after the cap was lifted, "Connection lost" 1,137-2,048 ms, video back 136-2,595 ms after a 3 s outage.',
    '',
    'Two earlier runs the same day on a quiet machine (8 rounds each, before the loss round was added; the second after receiver reports are counted by `roundTripTimeMeasurements` where Chrome lacks `reportsReceived`): "poor" 1,417-2,014 ms, "Video paused" 3,924-5,340 ms, paused video back 5,056-6,039 ms, "Connection lost" 1,097-1,619 ms, video back 127-278 ms after a 3 s outage; their medians differed by at most 4 % (poor 1,482 and 1,537 ms; back 5,521 and 5,486 ms; lost 1,557 and 1,594 ms). The loaded run\'s medians are within 10 % of them except "poor" under the cap (1,982 ms, +30 %) and video after an outage (487 ms).',
    '',
    '- **Load matters for the way back.** The same run with the `quality-flap` benchmark on the machine at the same time (a second rig and two more Chromiums): paused video back in 6.5-37 s (p50 ~18 s), and one round whose estimate stayed "low bandwidth" for over 30 s after the outage. The way back rides on the sender\'s bandwidth estimate climbing from where the cap left it.',
    '- **"Video paused"** comes 3 s after the sender\'s own uplink turns poor (`PAUSE_AFTER_MS`), plus the report through the server; the probe that ends it climbs a stair of sizes one step a second and passes once the estimate is over 200 kbit/s (`videoFallback.ts`).',
    '- **"Connection lost"** is one second without a packet (`LOST_AFTER_MS`) plus up to one 500 ms sampling tick.',
    '- **"Poor" at 150 kbit/s** comes from the impaired sender: its bandwidth estimate falls under 200 kbit/s while bandwidth limits its video, it tells the room with `uplink`, and the watcher shows it. The cap must be below what the picture needs: with the small capture of the e2e tests (320x180 at 15 fps) 150 kbit/s carries a one-to-one call and the tile rightly stays good, so this benchmark sends the HD capture of the app.',
    "- **20 % random loss is \"poor\"** since the rig drops outgoing packets at the veth's egress (2026-12-07). It used to drop them in nftables' output hook, where the sender's `sendto` fails with EPERM: Chromium sent such a packet again, so 20 % dropped arrived as ~4 % lost (0.2 squared), and the tile rightly stayed fair. A Node sender ignores the error, which is why a plain UDP flow lost 20 %.",
  ].join('\n'),
  needs: ['chromium', 'nft', 'tc', 'ip'],
  run,
};
