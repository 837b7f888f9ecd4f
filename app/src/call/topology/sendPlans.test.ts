import { describe, expect, it } from 'vitest';
import { SFU_LINK, SendPlans } from './sendPlans.ts';

describe('SendPlans', () => {
  it("takes the monitor's plan, unless audio only or the peer asked for none", () => {
    const p = new SendPlans(false);
    p.setMonitored('ada', 'low');
    p.setMonitored(SFU_LINK, 'reduced');
    expect([p.forMesh('ada'), p.forMesh('bo'), p.forSfu()]).toEqual(['low', 'full', 'reduced']);
    p.setWanted('bo', false);
    expect(p.forMesh('bo')).toBe('off');
    expect(p.setAudioOnly(true)).toBe(true);
    expect(p.setAudioOnly(true)).toBe(false);
    expect([p.forMesh('ada'), p.forSfu()]).toEqual(['off', 'off']);
    p.setAudioOnly(false);
    p.peerLeft('bo');
    p.setMonitored('ada', 'full');
    expect([p.forMesh('ada'), p.forMesh('bo')]).toEqual(['full', 'full']);
  });

  it('receives video unless audio only or our downlink paused it, and sends it all the same', () => {
    const p = new SendPlans(false);
    expect(p.receivesVideo).toBe(true);
    expect(p.setIncomingPaused(true)).toBe(true);
    expect(p.setIncomingPaused(true)).toBe(false);
    expect([p.receivesVideo, p.forMesh('ada'), p.forSfu()]).toEqual([false, 'full', 'full']);
    p.setIncomingPaused(false);
    p.setAudioOnly(true);
    expect(p.receivesVideo).toBe(false);
  });
});
