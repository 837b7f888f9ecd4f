import { describe, expect, it } from 'vitest';
import { SilenceWatch } from './silenceWatch.ts';

const floor = (
  memberId: string,
  packets: number | undefined,
  channelId = 'general',
  since = 0,
) => ({ channelId, memberId, since, packets });

describe('SilenceWatch', () => {
  it('ends nobody while the talker audio keeps arriving', () => {
    const watch = new SilenceWatch<string, string>(3000);
    for (let t = 0; t <= 10_000; t += 1000) {
      expect(watch.check([floor('ann', t / 20)], t)).toEqual([]);
    }
  });

  it('names a talker whose count has not moved for the limit, and not before', () => {
    const watch = new SilenceWatch<string, string>(3000);
    expect(watch.check([floor('ann', 40)], 0)).toEqual([]);
    expect(watch.check([floor('ann', 90)], 1000)).toEqual([]);
    expect(watch.check([floor('ann', 90)], 3999)).toEqual([]);
    expect(watch.check([floor('ann', 90)], 4000)).toEqual(['ann']);
  });

  it('gives a new holder of the channel its own full time', () => {
    const watch = new SilenceWatch<string, string>(3000);
    watch.check([floor('ann', 10)], 0);
    expect(watch.check([floor('bob', 10)], 2500)).toEqual([]);
    expect(watch.check([floor('bob', 10)], 5000)).toEqual([]);
    expect(watch.check([floor('bob', 10)], 5500)).toEqual(['bob']);
  });

  it('watches each channel apart, and forgets a channel nobody holds', () => {
    const watch = new SilenceWatch<string, string>(3000);
    watch.check([floor('ann', 1, 'a'), floor('bob', 1, 'b')], 0);
    expect(watch.check([floor('ann', 1, 'a'), floor('bob', 50, 'b')], 3000)).toEqual(['ann']);
    watch.check([], 3500);
    expect(watch.check([floor('ann', 1, 'a')], 4000)).toEqual([]);
  });

  it('gives the same member a new turn its own full time', () => {
    const watch = new SilenceWatch<string, string>(3000);
    watch.check([floor('ann', 10, 'general', 0)], 0);
    expect(watch.check([floor('ann', 10, 'general', 2800)], 3000)).toEqual([]);
    expect(watch.check([floor('ann', 10, 'general', 2800)], 5999)).toEqual([]);
    expect(watch.check([floor('ann', 10, 'general', 2800)], 6000)).toEqual(['ann']);
  });

  it('counts a channel without a counter (no bus yet) as silent too', () => {
    const watch = new SilenceWatch<string, string>(3000);
    watch.check([floor('ann', undefined)], 0);
    expect(watch.check([floor('ann', undefined)], 3000)).toEqual(['ann']);
  });
});
