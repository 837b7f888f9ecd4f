// Builds of app/ for the e2e suites, the benchmarks and the bundle check, each in a directory
// of its own, never app/dist (what `npm start` serves, built by scripts/setup.mjs).
//
// Two flavours, same sources and vite.config.ts: `production` is what `npm start` ships;
// `debug` is built with VITE_PARLEY_DEBUG=1, so pages have the `window.__parley` hook the
// tests read (app/src/call/debugHook.ts). A build is cached by a hash of its inputs, like
// setup.mjs caches app/dist, and never changed once written: a benchmark that runs for
// minutes can serve it while an e2e suite builds a newer one next to it.

import { execFileSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type AppFlavour = 'production' | 'debug';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const APP = path.join(REPO, 'app');
const VITE = path.join(REPO, 'node_modules/vite/bin/vite.js');
const CACHE = path.join(REPO, 'node_modules/.cache/parley-app');
/** What shapes a build (as in scripts/setup.mjs), besides the flavour. */
const INPUTS = ['app', 'protocol/src', 'package-lock.json'];
/** Builds older than this are removed when a new one is made; a day outlives any bench run. */
const KEEP_MS = 24 * 3600_000;

function hashTree(file: string, hash: Hash): void {
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info) return;
  if (info.isFile()) {
    hash.update(path.relative(REPO, file));
    hash.update(readFileSync(file));
    return;
  }
  for (const name of readdirSync(file).sort()) {
    if (name === 'node_modules' || name === 'dist') continue;
    hashTree(path.join(file, name), hash);
  }
}

function inputsHash(flavour: AppFlavour): string {
  const hash = createHash('sha256').update(flavour);
  for (const input of INPUTS) hashTree(path.join(REPO, input), hash);
  return hash.digest('hex').slice(0, 16);
}

function pruneOldBuilds(keep: string): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    const dir = path.join(CACHE, name);
    if (dir !== keep && Date.now() - statSync(dir).mtimeMs > KEEP_MS) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Returns the directory of an up-to-date build (with Vite's manifest in `.vite/`), building it
 * first if the app or protocol sources changed (a few seconds).
 */
export function buildApp(flavour: AppFlavour): string {
  const out = path.join(CACHE, `${flavour}-${inputsHash(flavour)}`);
  if (existsSync(path.join(out, 'index.html'))) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    execFileSync(
      process.execPath,
      [VITE, 'build', '--outDir', tmp, '--emptyOutDir', '--manifest'],
      {
        cwd: APP,
        env: {
          ...process.env,
          // Under vitest NODE_ENV is `test`, which would make Vite produce a development build.
          NODE_ENV: 'production',
          VITE_PARLEY_DEBUG: flavour === 'debug' ? '1' : '',
        },
        stdio: 'pipe',
      },
    );
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(`vite build of app/ (${flavour}) failed:\n${stderr}`);
  }
  try {
    renameSync(tmp, out);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process built the same inputs meanwhile: theirs is as good as ours.
    if (!existsSync(path.join(out, 'index.html'))) throw error;
  }
  pruneOldBuilds(out);
  return out;
}
