#!/usr/bin/env node
// Brings a machine from a fresh clone to "ready to run and test", doing only what is missing:
// Debian packages, `npm ci`, the mediasoup worker (built once, cached) and the app build.
// Runs before `npm start` and `npm test`; a second run with nothing changed takes seconds.
// Only Node built-ins here: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages: runtime (browser, transcoder, TURN) and the mediasoup worker build. */
export const DEBIAN_PACKAGES = [
  'chromium',
  'ffmpeg',
  // Recordings (issue 18): the composite draws names with DejaVu Sans.
  'fonts-dejavu-core',
  'coturn',
  'meson',
  'ninja-build',
  'pkg-config',
  'libssl-dev',
  'libuv1-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'nlohmann-json3-dev',
  'g++',
  'make',
  'python3',
  // Tests: network namespaces for the TURN relay policy, a self-signed TLS certificate.
  'iproute2',
  'openssl',
  // Weak-network tests (issue 20): packet drop inside a rig's namespace (tests/e2e/support/netns.ts).
  'nftables',
  // Cluster mode (issue 13): the tests and `npm run cluster` start their own Redis,
  // PostgreSQL 15 (binaries in /usr/lib/postgresql/15/bin) and HAProxy on loopback ports;
  // docker-compose only validates docker-compose.yml (`docker-compose config -q`).
  'redis-server',
  'postgresql',
  'haproxy',
  'docker-compose',
];

/**
 * Debian's postgresql package creates and starts a default cluster on port 5432 unless told
 * not to. Nothing of ours uses it (tests run `initdb` in a temp dir), so ask for none.
 */
const NO_DEFAULT_PG_CLUSTER = {
  dir: '/etc/postgresql-common/createcluster.d',
  file: '/etc/postgresql-common/createcluster.d/parley.conf',
  text: '# Written by Parley scripts/setup.mjs: our tests start their own clusters.\ncreate_main_cluster = false\n',
};

const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function missingDebianPackages() {
  const r = spawnSync(
    'dpkg-query',
    ['-W', '-f=${Package} ${db:Status-Status}\n', ...DEBIAN_PACKAGES],
    {
      encoding: 'utf8',
    },
  );
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  return DEBIAN_PACKAGES.filter((p) => !installed.has(p));
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  if (asRoot.length > 0 && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(
      `missing Debian packages (${missing.join(' ')}): run as root, or\n  sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const privileged = (cmd, args, options) =>
    asRoot.length > 0 ? run('sudo', [cmd, ...args], options) : run(cmd, args, options);
  const apt = (...args) => privileged('apt-get', args, { env });
  if (missing.includes('postgresql')) {
    const { dir, file, text } = NO_DEFAULT_PG_CLUSTER;
    privileged('sh', ['-c', `mkdir -p '${dir}' && printf '%s' '${text}' > '${file}'`]);
  }
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** npm ci when node_modules is missing or was installed from another lockfile. */
function ensureNodeModules() {
  const stamp = path.join(ROOT, 'node_modules', '.parley-lock-hash');
  const want = sha256(readFileSync(path.join(ROOT, 'package-lock.json')));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing npm dependencies (npm ci)');
  // With MEDIASOUP_WORKER_BIN set, mediasoup's postinstall neither downloads nor builds a
  // worker (both need the internet); we build our own below.
  run('npm', ['ci', '--no-audit', '--no-fund'], {
    env: {
      ...process.env,
      MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN || '/nonexistent',
    },
  });
  writeFileSync(stamp, want);
}

function hashTree(dir, h) {
  if (!existsSync(dir)) return;
  const info = statSync(dir);
  if (info.isFile()) {
    h.update(path.relative(ROOT, dir));
    h.update(readFileSync(dir));
    return;
  }
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist') continue;
    hashTree(path.join(dir, name), h);
  }
}

/** Builds app/dist when any of its inputs (app and protocol sources, lockfile) changed. */
function ensureAppBuild() {
  const h = createHash('sha256');
  for (const p of ['app', 'protocol/src', 'package-lock.json']) hashTree(path.join(ROOT, p), h);
  const want = h.digest('hex');
  const stamp = path.join(ROOT, 'app', 'dist', '.build-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('building the app (vite build)');
  run('npm', ['run', 'build', '-w', 'app'], { env: { ...process.env, NODE_ENV: 'production' } });
  writeFileSync(stamp, want);
}

async function main() {
  const started = Date.now();
  ensureDebianPackages();
  ensureNodeModules();
  const { ensureMediasoupWorker } = await import('./build-mediasoup-worker.mjs');
  const worker = await ensureMediasoupWorker({ rootDir: ROOT, log });
  ensureAppBuild();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (mediasoup worker: ${worker})`);
}

main().catch((error) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
