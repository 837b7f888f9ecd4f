// The app as the browser scenarios serve it: a production build of app/ (same sources, same
// vite.config.ts) into a directory of this bench process, with Vite's manifest. Not app/dist:
// e2e suites rebuild that in place (emptyOutDir) whenever app sources change, which would pull
// files from under a benchmark that runs for minutes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const APP = path.join(REPO, 'app');
const VITE = path.join(REPO, 'node_modules/vite/bin/vite.js');

let built: string | undefined;

/** Builds once per process (about a second here) and returns the output directory. */
export function buildApp(): string {
  if (built) return built;
  const out = mkdtempSync(path.join(tmpdir(), 'parley-bench-dist-'));
  try {
    execFileSync(
      process.execPath,
      [VITE, 'build', '--outDir', out, '--emptyOutDir', '--manifest'],
      {
        cwd: APP,
        // Under vitest NODE_ENV is `test`, which would make Vite produce a development build.
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: 'pipe',
      },
    );
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`vite build of app/ failed:\n${stderr}`);
  }
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  built = out;
  return out;
}
