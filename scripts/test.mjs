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
      skipped: r.numPendingTests + r.numTodoTests,
    };
  } catch {
    return { status, passed: 0, failed: 1, skipped: 0 };
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
const skipped = sum('skipped');
console.log(
  `\nTests: ${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
