import { beforeEach, describe, expect, it } from 'vitest';
import { SPEAKING_LEVEL, SpeakerDetector } from './SpeakerDetector.ts';

const levels = (entries: Record<string, number> = {}) => new Map(Object.entries(entries));

describe('SpeakerDetector', () => {
  let detector: SpeakerDetector;
  beforeEach(() => {
    detector = new SpeakerDetector();
  });

  it('highlights nobody while everyone is silent', () => {
    expect(detector.sample(levels())).toBeNull();
    expect(detector.sample(levels({ a: 0, b: 0.01 }))).toBeNull();
  });

  it('does not count a level exactly at the threshold as speaking', () => {
    expect(detector.sample(levels({ a: SPEAKING_LEVEL }))).toBeNull();
    expect(detector.sample(levels({ a: SPEAKING_LEVEL + 0.001 }))).toBe('a');
  });

  it('highlights the loudest peer', () => {
    expect(detector.sample(levels({ a: 0.05, b: 0.2, c: 0.1 }))).toBe('b');
  });

  it('keeps the current speaker when someone is only slightly louder', () => {
    detector.sample(levels({ a: 0.1 }));
    expect(detector.sample(levels({ a: 0.1, b: 0.14 }))).toBe('a');
  });

  it('hands over to someone clearly louder (more than 1.5x)', () => {
    detector.sample(levels({ a: 0.1 }));
    expect(detector.sample(levels({ a: 0.1, b: 0.16 }))).toBe('b');
  });

  it('hands over at once when the current speaker stops and someone else talks', () => {
    detector.sample(levels({ a: 0.2 }));
    expect(detector.sample(levels({ a: 0, b: 0.05 }))).toBe('b');
  });

  it('keeps the highlight through two quiet samples and clears it on the third', () => {
    detector.sample(levels({ a: 0.2 }));
    expect(detector.sample(levels({ a: 0 }))).toBe('a');
    expect(detector.sample(levels({ a: 0 }))).toBe('a');
    expect(detector.sample(levels({ a: 0 }))).toBeNull();
  });

  it('treats a peer missing from the sample as quiet', () => {
    detector.sample(levels({ a: 0.2 }));
    detector.sample(levels());
    detector.sample(levels());
    expect(detector.sample(levels())).toBeNull();
  });

  it('a short pause between words does not add up to losing the highlight', () => {
    detector.sample(levels({ a: 0.2 }));
    detector.sample(levels({ a: 0 }));
    detector.sample(levels({ a: 0 }));
    detector.sample(levels({ a: 0.2 })); // speaking again: the quiet count starts over
    expect(detector.sample(levels({ a: 0 }))).toBe('a');
    expect(detector.sample(levels({ a: 0 }))).toBe('a');
  });

  it('reset() forgets the current speaker', () => {
    detector.sample(levels({ a: 0.2 }));
    detector.reset();
    expect(detector.sample(levels({ a: 0 }))).toBeNull();
    // With the old speaker forgotten, a slightly louder newcomer takes it without the 1.5x rule.
    detector.sample(levels({ a: 0.1 }));
    detector.reset();
    expect(detector.sample(levels({ a: 0.1, b: 0.11 }))).toBe('b');
  });
});
