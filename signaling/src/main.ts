import { coturnInstalled, startLocalCoturn } from '@parley/turn';
import type { LocalCoturn } from '@parley/turn';
import { ConfigError, loadConfig } from './config/index.ts';
import type { Config } from './config/index.ts';
import { createLog } from './telemetry/log.ts';
import { startServer } from './server.ts';
import { background } from './util/background.ts';

const log = createLog();

/** The embedded default: a local coturn on 127.0.0.1 when none is configured and it is installed. */
async function embeddedTurn(config: Config): Promise<LocalCoturn | undefined> {
  if (config.turn || !config.localTurn) return undefined;
  if (!coturnInstalled()) {
    log.warn('turnserver not installed: running without TURN (apt-get install coturn)');
    return undefined;
  }
  try {
    const coturn = await startLocalCoturn({ port: config.turnPort });
    log.info('local coturn started', { urls: coturn.urls });
    return coturn;
  } catch (error) {
    log.warn('local coturn did not start: running without TURN', { error: String(error) });
    return undefined;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error(`configuration: ${error.message}`);
    process.exit(2);
  }
  const coturn = await embeddedTurn(config);
  if (coturn) {
    config.turn = { urls: coturn.urls, secret: coturn.secret };
  }
  const server = await startServer({ ...config, log });
  const shutdown = async (signal: string): Promise<void> => {
    log.info('shutting down', { signal });
    // Cluster mode: move the rooms to other nodes first, so their calls go on there.
    await server.drain();
    await server.close();
    await coturn?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => background(shutdown('SIGTERM'), 'shutdown', log));
  process.once('SIGINT', () => background(shutdown('SIGINT'), 'shutdown', log));
}

await main();
