import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { renderTemplate } from '@parley/turn';
import { onParentExit, ServiceProcess } from './process.ts';
import { freePort, httpGet } from './net.ts';

const run = promisify(execFile);

export const HAPROXY_TEMPLATE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'haproxy.local.cfg',
);

/** A Parley node on this machine (always 127.0.0.1). */
export interface HaproxyBackend {
  port: number;
  /** Server name in HAProxy's logs (default `node-<port>`). */
  name?: string;
}

export interface HaproxyOptions {
  /** Frontend port (default: a free loopback port). */
  port?: number;
  /** Health check period (default 300 ms; two failures take a node out, one success back). */
  checkIntervalMs?: number;
  /** How long to wait for the frontend, at start and after a reload (default 10 s). */
  startTimeoutMs?: number;
}

export interface LocalHaproxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Replaces the backend list without dropping open connections (HAProxy's reload). */
  reload(backends: HaproxyBackend[]): Promise<void>;
  /** Stops HAProxy (idempotent) and deletes its config. */
  stop(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** The local config for `backends`; `generation` tells one rendering from the next. */
export function renderHaproxyConfig(
  backends: HaproxyBackend[],
  options: { port: number; checkIntervalMs: number; generation: number },
): string {
  const servers = backends.map(({ port, name = `node-${port}` }) => {
    if (!NAME.test(name)) throw new Error(`haproxy: server name "${name}" is not [A-Za-z0-9_.-]+`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`haproxy: backend port ${port} is not a TCP port`);
    }
    return `    server ${name} 127.0.0.1:${port}`;
  });
  return renderTemplate(readFileSync(HAPROXY_TEMPLATE, 'utf8'), {
    PORT: options.port,
    CHECK_INTERVAL_MS: options.checkIntervalMs,
    GENERATION: options.generation,
    SERVERS: servers.join('\n'),
  });
}

/**
 * HAProxy on 127.0.0.1 in front of local nodes, health-checking `GET /healthz`. Runs in the
 * foreground in master-worker mode (`-W -db`) as our child: SIGUSR2 reloads its config.
 */
export async function startHaproxy(
  backends: HaproxyBackend[],
  options: HaproxyOptions = {},
): Promise<LocalHaproxy> {
  const port = options.port ?? (await freePort());
  const checkIntervalMs = options.checkIntervalMs ?? 300;
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-haproxy-'));
  const forgetDir = onParentExit(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'haproxy.cfg');
  let generation = 0;

  /** Writes the next config after `haproxy -c` accepts it; returns its generation. */
  const writeConfig = async (list: HaproxyBackend[]): Promise<string> => {
    generation += 1;
    const candidate = path.join(dir, `candidate-${generation}.cfg`);
    writeFileSync(candidate, renderHaproxyConfig(list, { port, checkIntervalMs, generation }));
    try {
      await run('haproxy', ['-c', '-q', '-f', candidate]);
    } catch (error) {
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
      throw new Error(`haproxy rejected its config (${candidate}):\n${output}`, { cause: error });
    }
    writeFileSync(configFile, readFileSync(candidate));
    rmSync(candidate);
    return String(generation);
  };
  const serving = (want: string) => async (): Promise<boolean> => {
    const { status, body } = await httpGet(port, '/__haproxy/generation');
    return status === 200 && body === want;
  };

  let proxy: ServiceProcess | undefined;
  const stop = async (): Promise<void> => {
    await proxy?.stop();
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
  };
  try {
    const first = await writeConfig(backends);
    proxy = new ServiceProcess({
      name: `haproxy :${port}`,
      command: 'haproxy',
      args: ['-W', '-db', '-f', configFile],
    });
    await proxy.waitUntil('serving', serving(first), timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const started = proxy;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop,
    async reload(list) {
      const next = await writeConfig(list);
      if (!started.signal('SIGUSR2')) throw started.failure('cannot reload: not running');
      await started.waitUntil(`serving config ${next}`, serving(next), timeoutMs);
    },
  };
}
