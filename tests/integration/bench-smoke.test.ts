// Every benchmark scenario in smoke mode (a few iterations): it must run end to end and
// produce well-formed numbers. No timing thresholds here: `npm run bench` measures.

import { describe, expect, it } from 'vitest';
import { missingBinaries, runScenario } from '../bench/lib/harness.ts';
import { SCENARIOS } from '../bench/scenarios.ts';

const quiet = (): void => undefined;

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

  // One at a time: they share two cores and measure CPU.
  for (const scenario of SCENARIOS) {
    it.skipIf(missingBinaries(scenario).length > 0)(
      `${scenario.name} produces well-formed figures`,
      async () => {
        const result = await runScenario(scenario, { smoke: true, log: quiet });
        expect(result.scenario).toBe(scenario.name);
        expect(result.figures.length).toBeGreaterThan(0);
        const keys = result.figures.map((f) => f.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const f of result.figures) {
          expect(Number.isFinite(f.value), `${f.key} = ${f.value}`).toBe(true);
          expect(f.value, f.key).toBeGreaterThanOrEqual(0);
          expect(f.unit.length).toBeGreaterThan(0);
        }
        expect(result.figures.some((f) => f.target)).toBe(scenario.name === 'turn' ? false : true);
        expect(() => JSON.stringify(result)).not.toThrow();
      },
      90_000,
    );
  }
});
