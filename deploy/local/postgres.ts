import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { onParentExit, ServiceProcess } from './process.ts';
import { freePort } from './net.ts';

const run = promisify(execFile);

/** Where Debian's postgresql-15 keeps initdb, postgres and friends (not on PATH). */
export const DEFAULT_PG_BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface PostgresOptions {
  /** Default: a free loopback port. */
  port?: number;
  /** Database created at first start (default `parley`). */
  database?: string;
  /** Superuser name, no password: the cluster trusts every loopback connection (default `parley`). */
  user?: string;
  /** Default: {@link DEFAULT_PG_BIN_DIR}. */
  binDir?: string;
  /** How long to wait for the server to accept connections (default 30 s). */
  startTimeoutMs?: number;
}

export interface LocalPostgres {
  /** `postgres://<user>@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Fast shutdown (idempotent); the data stays for `start()`. */
  stop(): Promise<void>;
  /** Starts again on the same data directory and port. */
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  cleanup(): Promise<void>;
}

interface Owner {
  uid: number;
  gid: number;
}

/**
 * The account the server runs as: PostgreSQL refuses to run as root, so as root we use the
 * `postgres` account Debian's package creates (`initdb` through `runuser`); otherwise ourselves.
 */
async function serverOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string): Promise<number> =>
    Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

async function initdb(binDir: string, dataDir: string, user: string, owner?: Owner): Promise<void> {
  const initdbArgs = [
    '-D',
    dataDir,
    '--auth=trust',
    '-U',
    user,
    '--encoding=UTF8',
    '--locale=C',
    // A throwaway cluster: skip the fsync of every file initdb writes (seconds on slow disks).
    '--no-sync',
  ];
  const initdbPath = path.join(binDir, 'initdb');
  const [command, args] = owner
    ? ['runuser', ['-u', 'postgres', '--', initdbPath, ...initdbArgs]]
    : [initdbPath, initdbArgs];
  try {
    await run(command, args);
  } catch (error) {
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`initdb failed: ${String(error)}\n${output}`, { cause: error });
  }
}

/**
 * A throwaway PostgreSQL cluster in a temp directory (initdb, then `postgres` in the
 * foreground on 127.0.0.1 and a private socket directory). We run `postgres` itself rather
 * than `pg_ctl start`, which would detach it: as our child it is killed if we exit, and its
 * log is at hand when it fails to start.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const binDir = options.binDir ?? DEFAULT_PG_BIN_DIR;
  const user = options.user ?? 'parley';
  const database = options.database ?? 'parley';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const port = options.port ?? (await freePort());
  const owner = await serverOwner();

  const root = mkdtempSync(path.join(tmpdir(), 'parley-pg-'));
  const forgetRoot = onParentExit(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  mkdirSync(socketDir);
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(socketDir, owner.uid, owner.gid);
  }
  let server: ServiceProcess | undefined;

  const ready = async (): Promise<boolean> => {
    const isReady = path.join(binDir, 'pg_isready');
    await run(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres']);
    return true;
  };
  const start = async (): Promise<void> => {
    if (server && server.exitReason === undefined) return;
    const started = new ServiceProcess({
      name: `postgres :${port}`,
      command: path.join(binDir, 'postgres'),
      args: [
        '-D',
        dataDir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-p',
        String(port),
        '-k',
        socketDir,
        // Only an OS crash loses unflushed data; a killed server keeps every commit.
        '-c',
        'fsync=off',
      ],
      spawn: owner ?? {},
      // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
      stopSignal: 'SIGINT',
      // SIGQUIT: immediate shutdown, which still releases shared memory.
      exitSignal: 'SIGQUIT',
    });
    server = started;
    await started.waitUntil('accepting connections', ready, startTimeoutMs);
  };
  const stop = async (): Promise<void> => {
    await server?.stop();
  };

  try {
    await initdb(binDir, dataDir, user, owner);
    await start();
    const createdb = path.join(binDir, 'createdb');
    await run(createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', user, database]);
  } catch (error) {
    await stop();
    rmSync(root, { recursive: true, force: true });
    forgetRoot();
    throw error;
  }

  return {
    url: `postgres://${user}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    dataDir,
    stop,
    start,
    async cleanup() {
      await stop();
      rmSync(root, { recursive: true, force: true });
      forgetRoot();
    },
  };
}
