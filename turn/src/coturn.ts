import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../config');

/** Fills `{{NAME}}` placeholders; a placeholder left without a value is an error. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`turn config: no value for {{${name}}}`);
    return String(value);
  });
}

export function coturnInstalled(): boolean {
  return spawnSync('turnserver', ['--help'], { stdio: 'ignore' }).error === undefined;
}

export interface LocalCoturnOptions {
  /** TCP and UDP port (default 3478). */
  port?: number;
  /** Relay port range (default 49160-49200: small, a development server relays a few calls). */
  minPort?: number;
  maxPort?: number;
  realm?: string;
  /** Address coturn listens and relays on (default 127.0.0.1), e.g. a test network rig's
   * host-side address so a browser in its namespace reaches it. */
  ip?: string;
  /** Where coturn's output goes; default: discarded. */
  onLog?: (line: string) => void;
}

export interface LocalCoturn {
  urls: string[];
  secret: string;
  /** True while the turnserver process has not exited (tests check it before a refusal). */
  running(): boolean;
  stop(): Promise<void>;
}

/**
 * A port that is free for both TCP and UDP on 127.0.0.1 right now (for tests and benchmarks
 * that start their own coturn). A random pick in the ephemeral range can collide with a
 * client socket of another test; the kernel's pick for TCP cannot, and UDP is checked.
 */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const tcp = createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', resolve);
    });
    const address = tcp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree && port > 0) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

function waitForTcp(ip: string, port: number, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, ip);
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadlineMs) reject(new Error(`coturn did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Starts Debian's `turnserver` on 127.0.0.1 (or `ip`) with a fresh secret (the embedded default and
 * tests). The secret lives only in this process and a 0600 temp file coturn reads.
 */
export async function startLocalCoturn(options: LocalCoturnOptions = {}): Promise<LocalCoturn> {
  const port = options.port ?? 3478;
  const ip = options.ip ?? '127.0.0.1';
  const secret = randomBytes(24).toString('base64url');
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-coturn-'));
  const template = readFileSync(path.join(CONFIG_DIR, 'turnserver.dev.conf'), 'utf8');
  const conf = renderTemplate(template, {
    IP: ip,
    PORT: port,
    MIN_PORT: options.minPort ?? 49160,
    MAX_PORT: options.maxPort ?? 49200,
    REALM: options.realm ?? 'parley.local',
    SECRET: secret,
    PID_FILE: path.join(dir, 'turnserver.pid'),
  });
  const confPath = path.join(dir, 'turnserver.conf');
  writeFileSync(confPath, conf, { mode: 0o600 });
  const child = spawn('turnserver', ['-c', confPath, '--userdb', path.join(dir, 'turndb')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** The last lines coturn wrote, for the error when it does not come up. */
  const recent: string[] = [];
  const log = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      recent.push(line);
      if (recent.length > 8) recent.shift();
      options.onLog?.(line);
    }
  };
  child.stdout.on('data', log);
  child.stderr.on('data', log);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (running()) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      // Generous: on a loaded machine (a test suite on two cores) coturn can take seconds.
      waitForTcp(ip, port, Date.now() + 15_000),
      exited.then(() =>
        Promise.reject(new Error(`turnserver exited at start (port ${port} in use?)`)),
      ),
    ]);
  } catch (error) {
    await stop();
    const said = recent.length > 0 ? `; coturn said:\n${recent.join('\n')}` : '';
    throw new Error(`${(error as Error).message}${said}`);
  }
  return {
    urls: [`turn:${ip}:${port}?transport=udp`, `turn:${ip}:${port}?transport=tcp`],
    secret,
    running,
    stop,
  };
}
