import { describe, expect, it } from 'vitest';
import { GOOD } from './connectionQuality.ts';
import type { Verdict } from './connectionQuality.ts';
import {
  PAUSE_AFTER_MS,
  PROBE_EVERY_MS,
  PROBE_MS,
  PROBE_SETTLE_MS,
  RELAPSE_MS,
  STABLE_MS,
  VideoFallback,
} from './videoFallback.ts';

const POOR: Verdict = { quality: 'poor', cause: 'bandwidth', value: 120 };
const FAIR: Verdict = { quality: 'fair', cause: 'loss', value: 5 };
const TICK = 500;

/** Feeds `verdict(t)` every TICK from `from` to `to`; returns the plans by time (`probe` while probing). */
function run(f: VideoFallback, from: number, to: number, verdict: (t: number) => Verdict) {
  const plans: [number, string][] = [];
  for (let t = from; t <= to; t += TICK) {
    const plan = f.update(verdict(t), t);
    plans.push([t, f.probing ? 'probe' : plan]);
  }
  return plans;
}
const firstAt = (plans: [number, string][], plan: string) => plans.find(([, p]) => p === plan)?.[0];

describe('VideoFallback', () => {
  it('keeps video through a burst shorter than PAUSE_AFTER_MS, and a fair link', () => {
    const f = new VideoFallback();
    const plans = run(f, 0, 20_000, (t) =>
      t >= 1_000 && t < 1_000 + PAUSE_AFTER_MS ? POOR : FAIR,
    );
    expect(new Set(plans.map(([, p]) => p))).toEqual(new Set(['full']));
    expect(f.pauses).toBe(0);
  });

  it('pauses after PAUSE_AFTER_MS of poor, probes, and comes back once a probe passes', () => {
    const f = new VideoFallback();
    const limitUntil = 20_000;
    const plans = run(f, 0, 40_000, (t) => (t < limitUntil ? POOR : GOOD));
    expect(firstAt(plans, 'off')).toBe(PAUSE_AFTER_MS);
    // Probes while the limit holds fail (and stay invisible: paused throughout).
    const probes = plans.filter(([t, p]) => p === 'probe' && t < limitUntil).length;
    expect(probes).toBeGreaterThan(0);
    expect(plans.filter(([t, p]) => p === 'full' && t > PAUSE_AFTER_MS && t < limitUntil)).toEqual(
      [],
    );
    // Back within one probe interval and one probe of the limit lifting.
    const back = plans.find(([t, p]) => p === 'full' && t >= limitUntil)?.[0];
    expect(back).toBeDefined();
    expect(back! - limitUntil).toBeLessThanOrEqual(PROBE_EVERY_MS[0] + PROBE_MS + TICK);
    expect(f.paused).toBe(false);
    expect(f.pauses).toBe(1);
  });

  it('doubles the time between probes after each relapse, and forgets once stable', () => {
    const f = new VideoFallback();
    // A link that is poor for 10 s and good for 10 s, over and over.
    const flapping = (t: number) => (Math.floor(t / 10_000) % 2 === 0 ? POOR : GOOD);
    run(f, 0, 200_000, flapping);
    // 20 flaps; without the doubling each would pause once.
    expect(f.pauses).toBeLessThanOrEqual(6);
    expect(f.pauses).toBeGreaterThanOrEqual(2);

    // Good for STABLE_MS: the next pause probes at the first step again.
    const g = new VideoFallback();
    run(g, 0, 100_000, flapping);
    const calm = run(g, 100_500, 100_500 + 2 * STABLE_MS, () => GOOD);
    const resumed = firstAt(calm, 'full')!;
    expect(calm.filter(([t]) => t >= resumed).every(([, p]) => p === 'full')).toBe(true);
    const t0 = 100_500 + 2 * STABLE_MS + TICK;
    const again = run(g, t0, t0 + 20_000, () => POOR);
    const off = firstAt(again, 'off')!;
    expect(firstAt(again, 'probe')! - off).toBe(PROBE_EVERY_MS[0]);
  });

  it('keeps probing while the bandwidth estimate climbs, and gives up when it stalls', () => {
    const short = (kbps: number): Verdict => ({ quality: 'poor', cause: 'bandwidth', value: kbps });
    const f = new VideoFallback();
    run(f, 0, PAUSE_AFTER_MS, () => POOR);
    const probeAt = PAUSE_AFTER_MS + PROBE_EVERY_MS[0];
    // Climbing 10 kbit/s a tick from 120: past 200 after 4 s, within PROBE_MAX_MS.
    const climbs = run(f, PAUSE_AFTER_MS + TICK, probeAt + 6_000, (t) =>
      t < probeAt ? POOR : short(120 + ((t - probeAt) / TICK) * 10),
    );
    expect(climbs.filter(([t]) => t >= probeAt).every(([, p]) => p === 'probe')).toBe(true);
    const after = run(f, probeAt + 6_500, probeAt + 7_000, () => GOOD);
    expect(after.at(-1)?.[1]).toBe('full');

    // Stuck at 130 kbit/s (a limit still on): the probe ends at its settle time.
    const g = new VideoFallback();
    run(g, 0, PAUSE_AFTER_MS, () => POOR);
    const stuck = run(g, PAUSE_AFTER_MS + TICK, probeAt + 6_000, (t) =>
      t < probeAt ? POOR : short(130),
    );
    const ended = stuck.find(([t, p]) => t > probeAt && p === 'off')?.[0];
    expect(ended! - probeAt).toBeLessThan(PROBE_SETTLE_MS + 2 * TICK);
  });

  it('treats a new trouble long after a resume as new, not as a relapse', () => {
    const f = new VideoFallback();
    // Poor for 10 s, good for 30 s, three times: each pause probes at the first step.
    const spaced = (t: number) => (t % 40_000 < 10_000 ? POOR : GOOD);
    const plans = run(f, 0, 120_000, spaced);
    const offs = plans.filter(
      ([t, p], i) => p === 'off' && plans[i - 1]?.[1] !== 'off' && t % 40_000 < 10_000,
    );
    expect(offs.length).toBe(3);
    for (const [off] of offs) {
      expect(
        firstAt(
          plans.filter(([t]) => t > off),
          'probe',
        )! - off,
      ).toBe(PROBE_EVERY_MS[0]);
    }
    expect(f.pauses).toBe(3);
    expect(RELAPSE_MS).toBeLessThan(30_000);
  });

  it('starts over on reset', () => {
    const f = new VideoFallback();
    run(f, 0, 5_000, () => POOR);
    expect(f.paused).toBe(true);
    f.reset(5_500);
    expect(f.paused).toBe(false);
    expect(f.update(POOR, 6_000)).toBe('full');
  });
});
