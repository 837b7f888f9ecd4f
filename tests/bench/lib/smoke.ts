// The smoke check shared by the two smoke suites: every scenario, in smoke mode (a few
// iterations), must run end to end and produce well-formed numbers. No timing thresholds:
// `npm run bench` measures.

import { expect, it } from 'vitest';
import { missingBinaries, runScenario } from './harness.ts';
import type { Scenario } from '../types.ts';

const quiet = (): void => undefined;

/** True for scenarios that drive Chromium (they run in the serial end-to-end project). */
export const usesBrowser = (s: Scenario): boolean => s.needs?.includes('chromium') ?? false;

/**
 * One test per scenario, run one at a time: they share two cores and measure CPU. A scenario
 * whose binary is missing fails, naming it: a smoke that vanished would pass on a machine
 * that cannot run the benchmark at all (issue 14).
 */
export function smokeEach(scenarios: readonly Scenario[]): void {
  for (const scenario of scenarios) {
    it(`${scenario.name} produces well-formed figures`, async () => {
      expect(missingBinaries(scenario), `${scenario.name}: binaries not on PATH`).toEqual([]);
      const result = await runScenario(scenario, { smoke: true, log: quiet });
      expect(result.scenario).toBe(scenario.name);
      expect(result.figures.length).toBeGreaterThan(0);
      const keys = result.figures.map((f) => f.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const f of result.figures) {
        expect(Number.isFinite(f.value), `${f.key} = ${f.value}`).toBe(true);
        expect(f.unit.length).toBeGreaterThan(0);
      }
      expect(result.figures.some((f) => f.target)).toBe(scenario.name !== 'turn');
      expect(() => JSON.stringify(result)).not.toThrow();
    }, 120_000);
  }
}
