import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coturnInstalled, startLocalCoturn, type LocalCoturn } from '@parley/turn';
import { startHaproxy, type LocalHaproxy } from './haproxy.ts';
import { freePort, httpGet } from './net.ts';
import { startPostgres, type LocalPostgres } from './postgres.ts';
import { onParentExit, ServiceProcess } from './process.ts';
import { startRedis, type LocalRedis } from './redis.ts';

/** The repository root: nodes run `signaling/src/main.ts` from here, as `npm start` does. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Each node owns this many SFU ports: SFU_PORT + worker index, then its RTC range. */
const SFU_PORTS_PER_NODE = 200;
/** SFU_PORT + i for up to this many workers; the node's RTC range starts after them. */
const SFU_MAX_WORKERS = 10;
/** coturn's relay range, clear of `npm start`'s (49160-49200) and the TURN tests'. */
const TURN_RELAY_PORTS = { minPort: 49600, maxPort: 49699 };

/** Environment for a node; an `undefined` value removes an inherited variable. */
export type NodeEnv = Record<string, string | undefined>;

export interface ClusterOptions {
  /** Parley nodes to start (default 2). */
  nodes?: number;
  /** HAProxy's port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** The built PWA the nodes serve (default `<repo>/app/dist`; `''` serves the API only). */
  staticDir?: string;
  /**
   * Extra environment for every node, or per node id (`node1`...), applied last so it can
   * override anything below (e.g. `SFU_WORKERS`, default 1 so a 2-core machine stays usable).
   */
  env?: NodeEnv | ((id: string) => NodeEnv);
  /** Start one coturn shared by every node (default false; needs `turnserver`). */
  coturn?: boolean;
  /**
   * Node i (from 0) gets SFU_PORT `base + 200 i` and the RTC range `base + 200 i + 10` to
   * `base + 200 i + 199` (default 50000, clear of the ranges `npm start` and the tests use).
   */
  sfuPortBase?: number;
  /** How long a node may take to answer `GET /healthz` with 200 (default 60 s). */
  nodeStartTimeoutMs?: number;
  /** How long a node may drain after SIGTERM before it is killed (default 30 s). */
  nodeStopTimeoutMs?: number;
}

/** One Parley process of the cluster. */
export interface ClusterNode {
  /** Its NODE_ID: `node1`, `node2`, ... */
  readonly id: string;
  /** `http://127.0.0.1:<port>`, also its PUBLIC_URL. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Undefined while the node is not running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /**
   * Sends `signal` (default SIGKILL, for failover tests) and resolves once the process is
   * gone. A signal the node handles (SIGTERM) lets it drain first.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then waits for the exit (SIGKILL after `nodeStopTimeoutMs`). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again with the same id, port and data directory; resolves once healthy. */
  start(): Promise<void>;
  /** What the current (or last) process printed last. */
  logs(): string;
}

export interface LocalCluster {
  /** HAProxy's URL: the one to open. */
  readonly url: string;
  readonly redis: LocalRedis;
  readonly postgres: LocalPostgres;
  readonly haproxy: LocalHaproxy;
  /** The shared coturn, if one was asked for. */
  readonly coturn: LocalCoturn | undefined;
  /** Shared by every node: a token minted on one must verify on all. */
  readonly jwtSecret: string;
  readonly nodes: readonly ClusterNode[];
  /** Starts one more node (the next id) and puts it behind HAProxy. */
  addNode(): Promise<ClusterNode>;
  /** Stops HAProxy, the nodes, coturn, PostgreSQL and Redis, and deletes their files. */
  stop(): Promise<void>;
}

class LocalNode implements ClusterNode {
  #process: ServiceProcess | undefined;
  readonly url: string;

  constructor(
    readonly id: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeouts: { startMs: number; stopMs: number },
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitReason === undefined;
  }

  get pid(): number | undefined {
    return this.running ? this.#process?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const started = new ServiceProcess({
      name: `parley ${this.id} :${this.port}`,
      command: process.execPath,
      args: ['--import', 'tsx', 'signaling/src/main.ts'],
      spawn: { cwd: REPO_ROOT, env: this.env },
      stopTimeoutMs: this.timeouts.stopMs,
    });
    this.#process = started;
    const healthy = async (): Promise<boolean> =>
      (await httpGet(this.port, '/healthz')).status === 200;
    await started.waitUntil('answering GET /healthz with 200', healthy, this.timeouts.startMs);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const current = this.#process;
    if (!current?.signal(signal)) return;
    await current.waitForExit();
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  logs(): string {
    return this.#process?.logs() ?? '';
  }
}

/** The env without `undefined` values: spawn's `env` takes strings only. */
function defined(env: NodeEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

/** Starts every task; if one fails, stops those that started and throws the first error. */
async function startAll<T>(
  tasks: Promise<T>[],
  stopOne: (started: T) => Promise<void>,
): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.allSettled(
    results.flatMap((r) => (r.status === 'fulfilled' ? [stopOne(r.value)] : [])),
  );
  throw failed.reason;
}

type Backing = { redis: LocalRedis; postgres: LocalPostgres; coturn: LocalCoturn | undefined };

async function startSharedCoturn(): Promise<LocalCoturn> {
  if (!coturnInstalled()) {
    throw new Error(
      'cluster: coturn asked for, but `turnserver` is not installed (apt-get install coturn)',
    );
  }
  const started = await startLocalCoturn({ port: await freePort(), ...TURN_RELAY_PORTS });
  // startLocalCoturn's child has no watchdog: at least a normal exit or Ctrl-C takes it along.
  const forget = onParentExit(() => {
    started.stop().catch((error: unknown) => {
      process.stderr.write(`deploy/local: coturn did not stop: ${String(error)}\n`);
    });
  });
  return {
    ...started,
    async stop() {
      forget();
      await started.stop();
    },
  };
}

/** Redis, PostgreSQL and the optional coturn, started side by side; all or none. */
async function startBacking(withCoturn: boolean): Promise<Backing> {
  const [redis, postgres, coturn] = await Promise.allSettled([
    startRedis(),
    startPostgres(),
    withCoturn ? startSharedCoturn() : undefined,
  ]);
  if (
    redis.status === 'fulfilled' &&
    postgres.status === 'fulfilled' &&
    coturn.status === 'fulfilled'
  ) {
    return { redis: redis.value, postgres: postgres.value, coturn: coturn.value };
  }
  await Promise.allSettled([
    redis.status === 'fulfilled' ? redis.value.stop() : undefined,
    postgres.status === 'fulfilled' ? postgres.value.cleanup() : undefined,
    coturn.status === 'fulfilled' ? coturn.value?.stop() : undefined,
  ]);
  const failed = [redis, postgres, coturn].find((r) => r.status === 'rejected');
  throw (failed as PromiseRejectedResult).reason;
}

interface SpawnerOptions {
  shared: NodeEnv;
  extra: ClusterOptions['env'];
  sfuPortBase: number;
  timeouts: { startMs: number; stopMs: number };
}

/** Makes nodes `node1`, `node2`, ... with their own port, data directory and SFU ports. */
class NodeSpawner {
  #created = 0;
  readonly #dataDirs: { dir: string; forget: () => void }[] = [];

  constructor(private readonly options: SpawnerOptions) {}

  /** The next node, started and healthy; on failure it is stopped and the error thrown. */
  async startNext(): Promise<LocalNode> {
    const node = await this.#create();
    try {
      await node.start();
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  removeDataDirs(): void {
    for (const { dir, forget } of this.#dataDirs.splice(0)) {
      rmSync(dir, { recursive: true, force: true });
      forget();
    }
  }

  async #create(): Promise<LocalNode> {
    const { shared, extra, sfuPortBase, timeouts } = this.options;
    const index = this.#created;
    this.#created += 1;
    const id = `node${index + 1}`;
    const sfuPort = sfuPortBase + index * SFU_PORTS_PER_NODE;
    if (sfuPort + SFU_PORTS_PER_NODE - 1 > 65_535) {
      throw new Error(`cluster: no SFU ports left for ${id} above ${sfuPortBase}`);
    }
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), `parley-${id}-`));
    const forget = onParentExit(() => rmSync(dataDir, { recursive: true, force: true }));
    this.#dataDirs.push({ dir: dataDir, forget });
    const env = defined({
      ...process.env,
      ...shared,
      PORT: String(port),
      DATA_DIR: dataDir,
      NODE_ID: id,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SFU_PORT: String(sfuPort),
      SFU_RTC_MIN_PORT: String(sfuPort + SFU_MAX_WORKERS),
      SFU_RTC_MAX_PORT: String(sfuPort + SFU_PORTS_PER_NODE - 1),
      ...(typeof extra === 'function' ? extra(id) : extra),
    });
    return new LocalNode(id, port, dataDir, env, timeouts);
  }
}

/** What every node is told: where the shared services are, and the cluster's secrets. */
function sharedEnv(backing: Backing, jwtSecret: string, staticDir: string | undefined): NodeEnv {
  const { redis, postgres, coturn } = backing;
  return {
    HOST: '127.0.0.1',
    STATIC_DIR: staticDir ?? path.join(REPO_ROOT, 'app/dist'),
    JWT_SECRET: jwtSecret,
    REDIS_URL: redis.url,
    DATABASE_URL: postgres.url,
    // One coturn for all (below) or none: never one per node on the same TURN port.
    LOCAL_TURN: 'off',
    SFU_WORKERS: '1',
    SFU_LISTEN_IP: process.env.SFU_LISTEN_IP || '127.0.0.1',
    // HAProxy and the nodes forwarding to each other are on loopback: believe their
    // X-Forwarded-For. Every client here is 127.0.0.1 too, so per-address limits are lifted.
    TRUST_PROXY: '127.0.0.0/8,::1',
    WS_MAX_PER_ADDRESS: '100000',
    ROOM_CREATIONS_PER_HOUR: '100000',
    WAITING_MAX_PER_ADDRESS: '100000',
    ...(coturn ? { TURN_URLS: coturn.urls.join(','), TURN_SECRET: coturn.secret } : {}),
  };
}

/**
 * The cluster topology of `docker-compose.yml` as local processes, for `npm run cluster` and
 * the tests (issue 13): Redis, PostgreSQL, optionally one coturn, N Parley nodes on free
 * loopback ports and HAProxy in front of them. Every process is a child killed on `stop()`
 * and when this process exits.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const count = options.nodes ?? 2;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`cluster: nodes must be >= 1, got ${count}`);
  }
  const jwtSecret = randomBytes(32).toString('base64url');
  const backing = await startBacking(options.coturn ?? false);
  const { redis, postgres, coturn } = backing;
  const spawner = new NodeSpawner({
    shared: sharedEnv(backing, jwtSecret, options.staticDir),
    extra: options.env,
    sfuPortBase: options.sfuPortBase ?? 50_000,
    timeouts: {
      startMs: options.nodeStartTimeoutMs ?? 60_000,
      stopMs: options.nodeStopTimeoutMs ?? 30_000,
    },
  });
  const stopBacking = async (): Promise<void> => {
    await Promise.allSettled([coturn?.stop(), postgres.cleanup(), redis.stop()]);
  };
  const list: LocalNode[] = [];
  const backends = () => list.map(({ id, port }) => ({ name: id, port }));

  let proxy: LocalHaproxy;
  try {
    const starts = Array.from({ length: count }, () => spawner.startNext());
    list.push(...(await startAll(starts, (node) => node.stop())));
    proxy = await startHaproxy(backends(), { port: options.port || undefined });
  } catch (error) {
    await Promise.allSettled(list.map((node) => node.stop()));
    await stopBacking();
    spawner.removeDataDirs();
    throw error;
  }

  // One reload at a time, each with the whole list as it is then. A failed reload rejects
  // for its own caller; the next one still runs.
  let reloads = Promise.resolve();
  const reload = (): Promise<void> => {
    reloads = reloads.then(
      () => proxy.reload(backends()),
      () => proxy.reload(backends()),
    );
    return reloads;
  };

  let stopping: Promise<void> | undefined;
  return {
    url: proxy.url,
    redis,
    postgres,
    haproxy: proxy,
    coturn,
    jwtSecret,
    nodes: list,
    async addNode() {
      const node = await spawner.startNext();
      list.push(node);
      await reload();
      return node;
    },
    stop() {
      stopping ??= (async () => {
        await proxy.stop();
        await Promise.allSettled(list.map((node) => node.stop()));
        await stopBacking();
        spawner.removeDataDirs();
      })();
      return stopping;
    },
  };
}
