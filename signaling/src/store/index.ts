import { openPostgresStorage } from './postgres/index.ts';
import { openSqliteStorage } from './sqlite/index.ts';
import type { Storage } from './types.ts';

export type * from './types.ts';
export { StorageUnavailable } from './errors.ts';
export { defaultSettings } from './settings.ts';
export { defaultTeamSettings } from './teamRows.ts';

/**
 * The durable state's engine: PostgreSQL when `databaseUrl` is set (the cluster mode, where
 * every node must see the same rows), otherwise SQLite under `dataDir` (the embedded default).
 */
export async function openStorage(options: {
  dataDir: string;
  databaseUrl: string | undefined;
}): Promise<Storage> {
  return options.databaseUrl
    ? openPostgresStorage(options.databaseUrl)
    : openSqliteStorage(options.dataDir);
}
