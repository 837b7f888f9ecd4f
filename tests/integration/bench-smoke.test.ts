// Every benchmark scenario that needs no browser, in smoke mode; the Chromium ones run in
// tests/e2e/bench-smoke.test.ts (the serial project).

import { describe, expect, it } from 'vitest';
import { smokeEach, usesBrowser } from '../bench/lib/smoke.ts';
import { SCENARIOS } from '../bench/scenarios.ts';

describe('benchmark scenarios (smoke)', () => {
  it('have unique names and say how they work, their target and their anchor', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SCENARIOS) {
      expect(s.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const text of [s.title, s.description, s.target, s.anchor])
        expect(text.length).toBeGreaterThan(3);
    }
  });

  smokeEach(SCENARIOS.filter((s) => !usesBrowser(s)));
});
