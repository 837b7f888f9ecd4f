import { randomBytes } from 'node:crypto';
import { ConfigError, urlOf } from './env.ts';
import type { Env } from './env.ts';

/** Where durable state lives, and whether this process is one node of a cluster. */
export interface StorageSettings {
  /** PostgreSQL for durable state (`postgres://...`); undefined: SQLite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Cluster membership (REDIS_URL set); undefined: one process, exactly as before. */
  cluster: ClusterConfig | undefined;
}

export interface ClusterConfig {
  redisUrl: string;
  /** Stable id of this node (NODE_ID); default: generated at start. */
  nodeId: string;
  /**
   * Where the other nodes (and clients, directly) reach this node (PUBLIC_URL); undefined:
   * `http://<host>:<port>` as bound.
   */
  publicUrl: string | undefined;
}

export function databaseUrlOf(env: Env): string | undefined {
  return urlOf(env, 'DATABASE_URL', ['postgres', 'postgresql']);
}

export function clusterConfig(
  env: Env,
  databaseUrl: string | undefined,
): ClusterConfig | undefined {
  const redisUrl = urlOf(env, 'REDIS_URL', ['redis', 'rediss']);
  if (redisUrl === undefined) return undefined;
  if (databaseUrl === undefined) {
    throw new ConfigError(
      'REDIS_URL is set but DATABASE_URL is not: the nodes of a cluster cannot share SQLite files ' +
        '(each machine has its own disk). Set DATABASE_URL=postgres://... as well.',
    );
  }
  const nodeId = env.NODE_ID || `node-${randomBytes(4).toString('hex')}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) {
    throw new ConfigError('NODE_ID must be 1-64 letters, digits, "_" or "-"');
  }
  return { redisUrl, nodeId, publicUrl: urlOf(env, 'PUBLIC_URL', ['http', 'https']) };
}
