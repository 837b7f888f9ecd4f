import { describe, expect, it } from 'vitest';
import { GOOD, Hysteresis, RECOVER_MS, causeText, classify } from './connectionQuality.ts';
import type { LinkSample, Verdict } from './connectionQuality.ts';

const clean: LinkSample = {
  lossPct: 0,
  rttMs: 20,
  jitterMs: 5,
  limitedKbps: null,
  fps: 15,
  silentMs: 0,
};

describe('classify', () => {
  it.each([
    [{}, 'good', null],
    [{ lossPct: 2.9 }, 'good', null],
    [{ lossPct: 3 }, 'fair', 'loss'],
    [{ lossPct: 22 }, 'poor', 'loss'],
    [{ rttMs: 450 }, 'fair', 'delay'],
    [{ rttMs: 900 }, 'poor', 'delay'],
    [{ jitterMs: 120 }, 'poor', 'jitter'],
    [{ limitedKbps: 350 }, 'fair', 'bandwidth'],
    [{ limitedKbps: 180 }, 'poor', 'bandwidth'],
    [{ fps: 8 }, 'good', null],
    [{ fps: 5 }, 'fair', 'frames'],
    // A slow decoder (a receiver short of CPU) is not a poor connection.
    [{ fps: 0 }, 'fair', 'frames'],
    // Nothing measurable is not a problem: a muted, camera-less peer has no fps.
    [{ lossPct: null, rttMs: null, jitterMs: null, fps: null }, 'good', null],
    [{ silentMs: 1_000, lossPct: 50 }, 'lost', 'silence'],
  ] as const)('%o is %s (%s)', (patch, quality, cause) => {
    expect(classify({ ...clean, ...patch })).toMatchObject({ quality, cause });
  });

  it('names the worst measure, not the first', () => {
    expect(classify({ ...clean, lossPct: 4, rttMs: 1_000 })).toEqual({
      quality: 'poor',
      cause: 'delay',
      value: 1_000,
    });
  });
});

describe('Hysteresis', () => {
  const fair: Verdict = { quality: 'fair', cause: 'loss', value: 5 };
  const poor: Verdict = { quality: 'poor', cause: 'loss', value: 20 };
  const lost: Verdict = { quality: 'lost', cause: 'silence', value: 1_500 };

  it('drops at once and recovers only after RECOVER_MS of better verdicts', () => {
    const h = new Hysteresis();
    expect(h.update(poor, 0).quality).toBe('poor');
    expect(h.update(GOOD, 1_000).quality).toBe('poor');
    expect(h.update(GOOD, 1_000 + RECOVER_MS - 1).quality).toBe('poor');
    expect(h.update(GOOD, 1_000 + RECOVER_MS).quality).toBe('good');
  });

  it('starts the wait again when the link gets worse in between', () => {
    const h = new Hysteresis();
    h.update(poor, 0);
    h.update(GOOD, 1_000);
    h.update(poor, 3_000);
    h.update(GOOD, 3_500);
    expect(h.update(GOOD, 1_000 + RECOVER_MS).quality).toBe('poor');
    expect(h.update(GOOD, 3_500 + RECOVER_MS).quality).toBe('good');
  });

  it('recovers to the worst level seen during the wait, then on from there', () => {
    const h = new Hysteresis();
    h.update(poor, 0);
    h.update(GOOD, 1_000);
    h.update(fair, 2_000);
    expect(h.update(GOOD, 1_000 + RECOVER_MS).quality).toBe('fair');
    expect(h.update(GOOD, 1_000 + 2 * RECOVER_MS).quality).toBe('good');
  });

  it('leaves "lost" as soon as media flows, showing poor until it has recovered', () => {
    const h = new Hysteresis();
    h.update(lost, 0);
    expect(h.update(GOOD, 500)).toEqual({ quality: 'poor', cause: 'silence', value: null });
    expect(h.update(GOOD, 500 + RECOVER_MS).quality).toBe('good');
  });

  it('does not flap on a link that toggles faster than it recovers', () => {
    const h = new Hysteresis();
    let changes = 0;
    let last = h.current.quality;
    // 10 minutes of 2 s bad, 2 s good, sampled every 500 ms.
    for (let t = 0; t < 600_000; t += 500) {
      const q = h.update(Math.floor(t / 2_000) % 2 === 0 ? poor : GOOD, t).quality;
      if (q !== last) changes++;
      last = q;
    }
    expect(changes).toBe(1);
  });
});

describe('causeText', () => {
  it('says what went wrong in words, with its figure', () => {
    expect(causeText({ cause: 'loss', value: 21.6 })).toBe('packet loss 22 %');
    expect(causeText({ cause: 'bandwidth', value: 140 })).toBe('low bandwidth (140 kbit/s)');
    expect(causeText({ cause: 'silence', value: 2_000 })).toBe('nothing received for 2.0 s');
    expect(causeText({ cause: 'silence', value: null })).toBe('media was interrupted');
    expect(causeText({ cause: 'delay', value: null })).toBe('long delay');
  });
});
