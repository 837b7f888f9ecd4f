// Builds the mediasoup worker binary against Debian's system libraries and caches it.
//
// Why: mediasoup's own postinstall downloads a prebuilt binary from GitHub, or builds from
// source after downloading meson subprojects (openssl, libuv, ...). These machines reach only
// the npm registry and Debian, so neither works. mediasoup 3.12.16 builds against Debian's
// libraries once its meson files use system `dependency()`s instead of `subproject()`s.
// See /work/shared/notes/mediasoup-worker.md for the verified recipe.
//
// One exception, libsrtp: Debian builds it with NSS, whose PKCS#11 layer costs ~4x OpenSSL
// per protected packet (measured, issue #15). It stays mediasoup's own subproject (OpenSSL
// crypto, linked statically), built from the upstream tarball that Debian's source package
// carries: the same file, byte for byte, that the worker's wrap names and checks by sha256.
//
// Usage: `node scripts/build-mediasoup-worker.mjs` prints the binary's path (building it the
// first time, ~6 minutes on 2 cores). Node built-ins only: this runs before anything else.

import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  constants as fsConstants,
  readFileSync,
  readdirSync,
  realpathSync,
} from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const DEFAULT_ROOT_DIR = path.resolve(path.dirname(SCRIPT_PATH), '..');

/** Arguments given to `meson setup`. */
const MESON_SETUP_ARGS = [
  '--buildtype=release',
  // Never download a subproject: a missing system library must fail, and the one subproject
  // built (libsrtp2) reads its tarball from subprojects/packagecache, put there beforehand.
  '--wrap-mode=nodownload',
];

/**
 * Every meson subproject of the worker and what replaces it. `deps` maps the variable the
 * worker reads from the subproject to the system dependency providing it; `libs` are static
 * libraries the worker `link_whole`s, dropped because system libraries are linked shared.
 */
const SUBPROJECTS = [
  {
    name: 'openssl',
    debianPackage: 'libssl-dev',
    deps: { openssl_dep: { module: 'openssl' } },
    libs: ['libcrypto_lib', 'libssl_lib'],
  },
  {
    name: 'nlohmann_json',
    debianPackage: 'nlohmann-json3-dev',
    deps: { nlohmann_json_dep: { module: 'nlohmann_json' } },
    libs: [],
  },
  {
    name: 'libuv',
    debianPackage: 'libuv1-dev',
    deps: { libuv_dep: { module: 'libuv' } },
    libs: ['libuv'],
  },
  {
    name: 'usrsctp',
    debianPackage: 'libusrsctp-dev',
    deps: { usrsctp_dep: { module: 'usrsctp' } },
    libs: ['usrsctp'],
  },
  {
    name: 'abseil-cpp',
    debianPackage: 'libabsl-dev',
    deps: {
      absl_container_dep: { module: 'absl_flat_hash_map' },
      absl_strings_dep: { module: 'absl_strings' },
      absl_types_dep: { module: 'absl_optional' },
    },
    libs: ['absl_container_lib'],
  },
  {
    name: 'catch2',
    debianPackage: 'catch2',
    // Only the worker's own C++ tests use catch2; we never build them.
    deps: { catch2_dep: { module: 'catch2', required: false } },
    libs: [],
  },
];

/**
 * Subprojects mediasoup builds itself, kept as they are: their wrap's source tarball comes
 * from the Debian source package `debianSource` (its `.orig` tarball), checked against the
 * wrap's `source_hash`.
 *
 * libsrtp2: Debian's binary package is built with `--enable-nss`. Measured on 1,100-byte RTP
 * packets (AES_CM_128_HMAC_SHA1_80, issue #15): `srtp_protect` ~4.2 us with NSS, ~1.1 us with
 * OpenSSL 3 (100-byte packets: 2.0 vs 0.4 us), NSS creating a PKCS#11 context per packet.
 */
const SOURCE_SUBPROJECTS = [{ name: 'libsrtp2', debianSource: 'libsrtp2' }];

/** Subprojects each patched meson file is expected to declare. */
const MESON_FILES = {
  'meson.build': SUBPROJECTS.map((subproject) => subproject.name),
  'deps/libwebrtc/meson.build': ['abseil-cpp'],
};

const REQUIRED_TOOLS = [
  { command: 'meson', debianPackage: 'meson' },
  { command: 'ninja', debianPackage: 'ninja-build' },
  { command: 'pkg-config', debianPackage: 'pkg-config' },
  { command: 'c++', debianPackage: 'g++' },
  { command: 'apt-get', debianPackage: 'apt' },
];

/**
 * Returns the absolute path of a mediasoup worker binary built for this machine, building
 * and caching it first if needed. Fast when cached: it runs on every `npm start`.
 * @param {{ rootDir?: string, log?: (message: string) => void }} [options]
 * @returns {Promise<string>}
 */
export async function ensureMediasoupWorker({ rootDir = DEFAULT_ROOT_DIR, log } = {}) {
  const report = log ?? ((message) => process.stderr.write(`${message}\n`));
  const { binaryPath, workerSrcDir, version } = resolveCacheLocation(rootDir);
  if (await isExecutable(binaryPath)) return binaryPath;

  report(`mediasoup-worker ${version}: not cached, building into ${path.dirname(binaryPath)}`);
  checkBuildPrerequisites();
  const startedAt = Date.now();
  const sources = await fetchSubprojectSources(workerSrcDir, report);
  await buildWorker({ workerSrcDir, binaryPath, sources, log: report });
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  report(`mediasoup-worker ${version}: built in ${seconds} s: ${binaryPath}`);
  return binaryPath;
}

/**
 * Where the cached worker binary for the installed mediasoup lives (it may not exist yet).
 * Synchronous so that code can point mediasoup at it before importing mediasoup.
 * @param {{ rootDir?: string }} [options]
 * @returns {string}
 */
export function mediasoupWorkerBinaryPath({ rootDir = DEFAULT_ROOT_DIR } = {}) {
  return resolveCacheLocation(rootDir).binaryPath;
}

/** Computes the cache path, keyed by mediasoup's version and a hash of what we build. */
function resolveCacheLocation(rootDir) {
  const mediasoupDir = resolveMediasoupDir(rootDir);
  const workerSrcDir = path.join(mediasoupDir, 'worker');
  const { version } = JSON.parse(readFileSync(path.join(mediasoupDir, 'package.json'), 'utf8'));
  const key = buildKey(workerSrcDir);
  const binaryPath = path.join(
    cacheRoot(),
    `mediasoup-worker-${version}-${key}`,
    'mediasoup-worker',
  );
  return { binaryPath, workerSrcDir, version };
}

function cacheRoot() {
  return process.env.PARLEY_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'parley');
}

/** Resolves mediasoup the way the sfu workspace sees it (hoisted to the root or not). */
function resolveMediasoupDir(rootDir) {
  const requireFromSfu = createRequire(path.join(rootDir, 'sfu', 'package.json'));
  try {
    return path.dirname(requireFromSfu.resolve('mediasoup/package.json'));
  } catch (error) {
    throw new Error(`mediasoup is not installed under ${rootDir}: run npm install first`, {
      cause: error,
    });
  }
}

/**
 * Short sha256 of everything that shapes the binary besides mediasoup's version: this
 * script (the patch logic and meson args) and the unpatched meson files. Editing either
 * yields a new cache directory instead of reusing a stale binary. The script is hashed as
 * read from disk, not via Function#toString: loaders such as Vitest's rewrite function source,
 * which would give `node` and the tests different keys for the same build.
 */
function buildKey(workerSrcDir) {
  const hash = createHash('sha256');
  hash.update(readFileSync(SCRIPT_PATH));
  for (const file of Object.keys(MESON_FILES)) {
    hash.update(readFileSync(path.join(workerSrcDir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

async function isExecutable(file) {
  try {
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Fails before a long build with the Debian packages to install, rather than mid-build. */
function checkBuildPrerequisites() {
  const missing = new Map(); // Debian package -> what is missing without it
  const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  for (const { command, debianPackage } of REQUIRED_TOOLS) {
    if (!succeeds(command, ['--version'])) missing.set(debianPackage, `command ${command}`);
  }
  for (const { debianPackage, deps } of SUBPROJECTS) {
    for (const { module, required = true } of Object.values(deps)) {
      if (required && !succeeds('pkg-config', ['--exists', module])) {
        missing.set(debianPackage, `pkg-config module ${module}`);
      }
    }
  }
  if (missing.size > 0) {
    const details = [...missing].map(([pkg, what]) => `${pkg} (${what})`).join(', ');
    throw new Error(
      `Cannot build mediasoup-worker, missing Debian packages: ${details}. ` +
        `Install them with: apt-get install -y ${[...missing.keys()].join(' ')}`,
    );
  }
}

/**
 * The source tarball of every SOURCE_SUBPROJECTS entry, from the cache or fetched once from
 * Debian (`apt-get source --download-only`), checked against its wrap's sha256.
 * @returns {Promise<{ file: string, filename: string }[]>} cached file and the wrap's name for it
 */
async function fetchSubprojectSources(workerSrcDir, log) {
  const out = [];
  for (const { name, debianSource } of SOURCE_SUBPROJECTS) {
    const wrap = readWrap(path.join(workerSrcDir, 'subprojects', `${name}.wrap`));
    const { source_filename: filename, source_hash: hash } = wrap;
    const file = path.join(cacheRoot(), 'sources', hash, filename);
    if ((await sha256OfFile(file)) !== hash) {
      log(`mediasoup-worker: fetching ${filename} from Debian's source package ${debianSource}`);
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-deb-src-'));
      try {
        const tarball = await debianOrigTarball(debianSource, hash, tmp, log);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await installAtomically(tarball, file, 0o644);
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    }
    out.push({ file, filename });
  }
  return out;
}

/** The `key = value` pairs of a meson .wrap file (its sections merged; names are unique). */
function readWrap(file) {
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]] = match[2];
  }
  if (!values.source_filename || !values.source_hash) {
    throw new Error(`${file}: expected source_filename and source_hash`);
  }
  return values;
}

async function sha256OfFile(file) {
  try {
    return createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Downloads a Debian source package into `dir` (a fresh directory) with the machine's own Debian
 * mirrors as `deb-src` entries in a private apt configuration (the machine's apt setup is left
 * as it is), and returns the path of its `.orig` tarball whose sha256 is `hash`.
 */
async function debianOrigTarball(sourcePackage, hash, dir, log) {
  const logFile = path.join(dir, 'apt.log');
  for (const sub of ['parts', 'lists/partial', 'cache/archives/partial', 'download']) {
    await fs.mkdir(path.join(dir, sub), { recursive: true });
  }
  await fs.writeFile(path.join(dir, 'none.list'), '');
  await fs.writeFile(path.join(dir, 'parts', 'parley-src.sources'), debSrcEntries());
  const options = [
    ['Dir::Etc::SourceList', path.join(dir, 'none.list')],
    ['Dir::Etc::SourceParts', path.join(dir, 'parts')],
    ['Dir::State::Lists', path.join(dir, 'lists')],
    ['Dir::Cache', path.join(dir, 'cache')],
    // apt drops to user _apt for downloads, who cannot write to this root-owned directory.
    ['APT::Sandbox::User', process.getuid?.() === 0 ? 'root' : os.userInfo().username],
  ].flatMap(([key, value]) => ['-o', `${key}=${value}`]);
  const apt = (args, cwd) => run('apt-get', ['-q', ...options, ...args], { cwd, log, logFile });
  await apt(['update'], dir);
  const download = path.join(dir, 'download');
  await apt(['source', '--download-only', sourcePackage], download);
  const found = (await fs.readdir(download)).filter((f) => /\.orig\.tar\.\w+$/.test(f));
  for (const f of found) {
    if ((await sha256OfFile(path.join(download, f))) === hash) return path.join(download, f);
  }
  throw new Error(
    `Debian's source package ${sourcePackage} has ${found.join(', ') || 'no .orig tarball'}, ` +
      `none with sha256 ${hash} (the worker's wrap): mediasoup and Debian disagree on its version`,
  );
}

/**
 * deb822 `deb-src` entries for the machine's Debian release: each `deb` entry of
 * /etc/apt/sources.list{,.d} for this release's codename (not -updates, -security or a
 * third-party suite), as `deb-src`.
 */
function debSrcEntries() {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  if (!codename) throw new Error('/etc/os-release names no VERSION_CODENAME');
  const stanzas = [];
  const add = (uris, components, signedBy) =>
    stanzas.push(
      [
        'Types: deb-src',
        `URIs: ${uris}`,
        `Suites: ${codename}`,
        `Components: ${components}`,
        ...(signedBy ? [`Signed-By: ${signedBy}`] : []),
      ].join('\n'),
    );
  for (const file of aptSourceFiles()) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(block)?.[1]?.trim();
        if (/^enabled:\s*no/im.test(block)) continue;
        if (!field('Types')?.split(/\s+/).includes('deb')) continue;
        if (!field('Suites')?.split(/\s+/).includes(codename)) continue;
        add(field('URIs'), field('Components'), field('Signed-By'));
      }
    } else {
      for (const line of text.split('\n')) {
        const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
        if (!match || match[3] !== codename) continue;
        add(match[2], match[4], /signed-by=(\S+)/.exec(match[1] ?? '')?.[1]);
      }
    }
  }
  if (stanzas.length === 0) throw new Error(`no apt source for Debian ${codename} found`);
  return `${stanzas.join('\n\n')}\n`;
}

function aptSourceFiles() {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  try {
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(path.join(dir, f));
    }
  } catch {
    // no sources.list.d
  }
  return files.filter((f) => existsSync(f));
}

/** Builds in a throw-away copy of the worker sources, then installs the binary atomically. */
async function buildWorker({ workerSrcDir, binaryPath, sources, log }) {
  const cacheDir = path.dirname(binaryPath);
  await fs.mkdir(cacheDir, { recursive: true });
  const logFile = path.join(cacheDir, 'build.log');
  await fs.writeFile(logFile, `mediasoup-worker build, ${new Date().toISOString()}\n`);
  const tmpRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-mediasoup-worker-'));
  try {
    const srcDir = path.join(tmpRoot, 'worker');
    const buildDir = path.join(tmpRoot, 'build');
    await fs.cp(workerSrcDir, srcDir, { recursive: true });
    await patchWorkerSources(srcDir);
    const packageCache = path.join(srcDir, 'subprojects', 'packagecache');
    await fs.mkdir(packageCache, { recursive: true });
    for (const { file, filename } of sources) {
      await fs.copyFile(file, path.join(packageCache, filename));
    }
    log(`mediasoup-worker: build output goes to ${logFile}`);
    await run('meson', ['setup', ...MESON_SETUP_ARGS, buildDir], { cwd: srcDir, log, logFile });
    await run('ninja', ['-C', buildDir, 'mediasoup-worker'], { cwd: srcDir, log, logFile });
    await installAtomically(path.join(buildDir, 'mediasoup-worker'), binaryPath);
  } finally {
    await fs.rm(tmpRoot, { recursive: true, force: true });
  }
}

/** Copies next to the destination then renames, so readers never see a partial binary. */
async function installAtomically(source, destination, mode = 0o755) {
  const tmp = `${destination}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.copyFile(source, tmp);
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, destination);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Rewrites the worker's meson files in place so every subproject is a system dependency. */
async function patchWorkerSources(srcDir) {
  for (const [file, subprojectNames] of Object.entries(MESON_FILES)) {
    const filePath = path.join(srcDir, file);
    const original = await fs.readFile(filePath, 'utf8');
    let patched = patchMesonFile(original, file, subprojectNames);
    if (file === 'meson.build') patched = lowerMesonVersion(patched);
    await fs.writeFile(filePath, patched);
  }
}

/** Applies the subproject -> dependency rewrite to one meson file's text. */
function patchMesonFile(text, file, subprojectNames) {
  let patched = text;
  for (const name of subprojectNames) {
    const subproject = SUBPROJECTS.find((candidate) => candidate.name === name);
    patched = replaceSubprojectCall(patched, file, subproject);
  }
  patched = replaceGetVariables(patched, file);
  const leftover = patched.match(new RegExp(`\\b(${SUBPROJECTS.map(projectVar).join('|')})\\b`));
  if (leftover) {
    throw new Error(`patch of ${file} incomplete: '${leftover[0]}' is still referenced`);
  }
  return patched;
}

/** `x_proj = subproject('x', ...)` becomes one `system_<dep> = dependency(...)` per dep. */
function replaceSubprojectCall(text, file, subproject) {
  const variable = projectVar(subproject);
  const call = new RegExp(
    `^${variable} = subproject\\(\\n\\s*'${subproject.name}',\\n[\\s\\S]*?^\\)\\n`,
    'm',
  );
  if (!call.test(text)) {
    throw new Error(`${file}: expected '${variable} = subproject('${subproject.name}', ...)'`);
  }
  const declarations = Object.entries(subproject.deps).map(
    ([depName, dep]) => `system_${depName} = ${systemDependency(dep)}\n`,
  );
  const comment = `# Patched by parley: system library instead of subproject '${subproject.name}'.\n`;
  return text.replace(call, comment + declarations.join(''));
}

/** The meson expression for one system dependency. */
function systemDependency({ module, required = true, includeSubdir }) {
  const lookup = required ? `dependency('${module}')` : `dependency('${module}', required: false)`;
  if (!includeSubdir) return lookup;
  const includeDir = `${lookup}.get_variable(pkgconfig: 'includedir') / '${includeSubdir}'`;
  return `declare_dependency(dependencies: ${lookup}, compile_args: ['-I' + ${includeDir}])`;
}

/**
 * `x_proj.get_variable('y_dep')` becomes `system_y_dep`; whole `link_whole` lines naming a
 * subproject's static library are dropped. Unknown variables fail: the table is out of date.
 */
function replaceGetVariables(text, file) {
  const byVar = new Map(SUBPROJECTS.map((subproject) => [projectVar(subproject), subproject]));
  const libLine = /^[ \t]*(\w+_proj)\.get_variable\('(\w+)'\),[ \t]*\n/gm;
  let libsDropped = 0;
  const withoutLibs = text.replace(libLine, (line, variable, name) => {
    if (!byVar.get(variable)?.libs.includes(name)) return line;
    libsDropped += 1;
    return '';
  });
  if (file === 'meson.build' && libsDropped === 0) {
    throw new Error(`${file}: expected link_whole entries like "openssl_proj.get_variable(...)"`);
  }
  return withoutLibs.replace(/(\w+_proj)\.get_variable\('(\w+)'\)/g, (match, variable, name) => {
    const subproject = byVar.get(variable);
    if (!subproject) return match; // e.g. wingetopt, Windows only: never evaluated here.
    if (!(name in subproject.deps)) {
      throw new Error(`${file}: no system replacement for ${match}; update SUBPROJECTS`);
    }
    return `system_${name}`;
  });
}

/** Debian bookworm ships meson 1.0.1; the worker needs nothing from 1.1. */
function lowerMesonVersion(text) {
  const pattern = /meson_version: '>= 1\.1\.0'/;
  if (!pattern.test(text)) {
    throw new Error(`meson.build: expected "meson_version: '>= 1.1.0'"`);
  }
  return text.replace(pattern, `meson_version: '>= 1.0.0'`);
}

/** 'abseil-cpp' -> 'abseil_cpp_proj', the variable name the worker's meson files use. */
function projectVar(subproject) {
  return `${subproject.name.replaceAll('-', '_')}_proj`;
}

/**
 * Runs a command, appending its output to logFile and passing each line to log. On failure
 * the error carries the last lines so it is diagnosable without opening the log.
 */
function run(command, args, { cwd, log, logFile }) {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(logFile, { flags: 'a' });
    file.write(`\n$ ${command} ${args.join(' ')}\n`);
    const tail = [];
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line) => {
      file.write(`${line}\n`);
      log(line);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    // One splitter per stream, so a partial stdout line never merges with stderr's.
    const splitters = [lineSplitter(onLine), lineSplitter(onLine)];
    child.stdout.on('data', splitters[0]);
    child.stderr.on('data', splitters[1]);
    child.on('error', (error) => file.end(() => reject(error)));
    child.on('close', (code, signal) => {
      for (const splitter of splitters) splitter.flush();
      file.end(() => {
        if (code === 0) return resolve();
        const status = signal ? `signal ${signal}` : `exit code ${code}`;
        const message = `${command} ${args.join(' ')} failed (${status}); full log: ${logFile}`;
        reject(new Error(`${message}\n${tail.join('\n')}`));
      });
    });
  });
}

/** Turns output chunks into whole lines; `flush()` emits a trailing partial line. */
function lineSplitter(onLine) {
  let pending = '';
  const onData = (chunk) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  onData.flush = () => {
    if (pending) onLine(pending);
    pending = '';
  };
  return onData;
}

function isMainModule() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(SCRIPT_PATH);
  } catch {
    return false;
  }
}

if (isMainModule()) {
  try {
    process.stdout.write(`${await ensureMediasoupWorker()}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
