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
});
