// Runs one scenario and stamps its result; used by the CLI (run.ts) and the smoke test.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { RunOptions, Scenario, ScenarioResult } from '../types.ts';
import { describeMachine } from './machine.ts';

/** The binaries a scenario needs that are not on PATH. */
export function missingBinaries(scenario: Scenario): string[] {
  return (scenario.needs ?? []).filter(
    (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status !== 0,
  );
}

export async function runScenario(
  scenario: Scenario,
  options: RunOptions,
): Promise<ScenarioResult> {
  const missing = missingBinaries(scenario);
  if (missing.length) throw new Error(`${scenario.name}: not installed: ${missing.join(', ')}`);
  // Other work on the machine skews CPU figures: recorded so a reader can tell.
  const load = os.loadavg()[0] ?? 0;
  const during: number[] = [];
  const sampler = setInterval(() => during.push(os.loadavg()[0] ?? 0), 10_000);
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const output = await scenario.run(options);
    return {
      scenario: scenario.name,
      machine: describeMachine(),
      smoke: options.smoke,
      startedAt: startedAt.toISOString(),
      durationS: Math.round((performance.now() - t0) / 100) / 10,
      loadAverageAtStart: load,
      ...(during.length ? { loadAverageMax: Math.max(...during) } : {}),
      ...output,
    };
  } finally {
    clearInterval(sampler);
  }
}
