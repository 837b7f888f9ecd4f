// The browser benchmark scenarios (join and switch, each also with bots; glass, PWA, failover,
// walkie-talkie press -> audible, a whiteboard stroke, connection quality under impairment, steady and toggling) in smoke mode: a few iterations each, in the serial end-to-end
// project, since each drives Chromium.

import { describe, expect, it } from 'vitest';
import { smokeEach, usesBrowser } from '../bench/lib/smoke.ts';
import { SCENARIOS } from '../bench/scenarios.ts';

describe('browser benchmark scenarios (smoke)', () => {
  const browserScenarios = SCENARIOS.filter(usesBrowser);

  it('are the eleven the issues ask for', () => {
    expect(browserScenarios.map((s) => s.name).sort()).toEqual([
      'board-stroke',
      'failover-video',
      'glass',
      'join',
      'join-bots',
      'pwa',
      'quality',
      'quality-flap',
      'switch',
      'switch-bots',
      'walkie-latency',
    ]);
  });

  smokeEach(browserScenarios);
});
