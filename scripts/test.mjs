#!/usr/bin/env node
// `npm test`: set-up, lint, then the unit/integration and end-to-end projects, ending with
// one plain summary line ("N passed, N failed") that CI can read whatever the runner.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORTS = path.join(ROOT, '.cache', 'test-reports');

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  return r.status ?? 1;
}

/** Statuses of tests that did not run: a skip, a todo, or one left out by `.only`. */
const NOT_RUN = new Set(['skipped', 'pending', 'todo']);

/** The full names ("file > suite > test") of the report's tests that did not run. */
function notRun(report) {
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((t) => NOT_RUN.has(t.status))
      .map((t) => `${path.relative(ROOT, file.name)} > ${t.fullName}`),
  );
}

/** Runs one Vitest project; returns its counts from the JSON report. */
function vitest(project) {
  const report = path.join(REPORTS, `${project}.json`);
  const status = step('npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    return {
      status,
      passed: r.numPassedTests,
      // A non-zero exit with no failed test (a suite that failed to load) still counts.
      failed: Math.max(r.numFailedTests, status === 0 ? 0 : 1),
      skipped: notRun(r),
    };
  } catch {
    return { status, passed: 0, failed: 1, skipped: [] };
  }
}

mkdirSync(REPORTS, { recursive: true });
if (step('node', ['scripts/setup.mjs']) !== 0) process.exit(1);
if (step('npm', ['run', 'lint']) !== 0) {
  console.log('lint: 0 passed, 1 failed');
  process.exit(1);
}
const results = ['unit', 'e2e'].map(vitest);
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
// A skipped test proves nothing, and a suite that skips what it cannot run passes on a machine
// that lacks a binary (issue 14): every test runs or fails.
const skipped = results.flatMap((r) => r.skipped);
if (skipped.length > 0) {
  console.log(`\n${skipped.length} test(s) did not run (skipped, todo or left out by .only):`);
  for (const name of skipped) console.log(`  - ${name}`);
}
console.log(
  `\nTests: ${sum('passed')} passed, ${sum('failed')} failed` +
    (skipped.length ? `, ${skipped.length} skipped` : ''),
);
process.exit(results.every((r) => r.status === 0) && skipped.length === 0 ? 0 : 1);
