// `npm run bench [-- <scenario>...] [--smoke]`: runs the scenarios, prints a table, writes
// results/<name>.json and regenerates BENCHMARKS.md from the latest result of every scenario.
// A smoke run (a few iterations) only prints: its numbers say nothing about speed.
// `--report-only` re-renders BENCHMARKS.md from the stored results without running anything.
// `--quiet=<load>` waits (up to 20 min) before each scenario until the 1-minute load average is
// below <load>: the machine is shared, and other work skews every figure.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from './lib/harness.ts';
import { describeMachine } from './lib/machine.ts';
import { consoleTable, parseEarlierReport, renderBenchmarksMd } from './lib/report.ts';
import { sleep } from './lib/stats.ts';
import { SCENARIOS } from './scenarios.ts';
import type { ScenarioResult } from './types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results');
const BENCHMARKS_MD = path.resolve(HERE, '../../BENCHMARKS.md');

function parseArgs(argv: string[]) {
  const smoke = argv.includes('--smoke');
  const quiet = Number(argv.find((a) => a.startsWith('--quiet='))?.slice('--quiet='.length));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  return { smoke, selected, quiet: Number.isFinite(quiet) ? quiet : undefined };
}

/** Waits until the 1-minute load average is below `load` (gives up after 20 minutes). */
async function untilQuiet(load: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 20 * 60_000;
  for (let said = false; (os.loadavg()[0] ?? 0) >= load && Date.now() < deadline; said = true) {
    if (!said) log(`  waiting for the load average (${os.loadavg()[0]?.toFixed(2)}) to fall below ${load}`); // prettier-ignore
    await sleep(5000);
  }
}

/** BENCHMARKS.md from the stored results; scenarios with none keep what the file said. */
function writeBenchmarksMd(): void {
  const earlier = existsSync(BENCHMARKS_MD)
    ? parseEarlierReport(readFileSync(BENCHMARKS_MD, 'utf8'), SCENARIOS)
    : undefined;
  writeFileSync(
    BENCHMARKS_MD,
    renderBenchmarksMd(SCENARIOS, latestResults(), describeMachine(), earlier),
  );
}

function latestResults(): Map<string, ScenarioResult> {
  const results = new Map<string, ScenarioResult>();
  for (const s of SCENARIOS) {
    const file = path.join(RESULTS, `${s.name}.json`);
    if (existsSync(file))
      results.set(s.name, JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult);
  }
  return results;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--report-only')) {
    // Re-renders BENCHMARKS.md from the stored results (after editing a scenario's analysis).
    writeBenchmarksMd();
    return;
  }
  const { smoke, selected, quiet } = parseArgs(argv);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const done: ScenarioResult[] = [];
  let failed = false;
  for (const scenario of selected) {
    log(`== ${scenario.name}${smoke ? ' (smoke)' : ''}`);
    if (quiet !== undefined) await untilQuiet(quiet, log);
    try {
      const result = await runScenario(scenario, { smoke, log });
      done.push(result);
      if (!smoke) {
        mkdirSync(RESULTS, { recursive: true });
        writeFileSync(
          path.join(RESULTS, `${scenario.name}.json`),
          `${JSON.stringify(result, null, 2)}\n`,
        );
      }
    } catch (error) {
      failed = true;
      log(
        `${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  process.stdout.write(`\n${consoleTable(done)}\n`);
  if (!smoke && done.length) {
    writeBenchmarksMd();
    log(
      `\nwrote ${path.relative(process.cwd(), BENCHMARKS_MD)} and ${path.relative(process.cwd(), RESULTS)}/`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
