// `npm run cluster`: the docker-compose topology as local processes, without Docker (issue 13).
// Redis, PostgreSQL, a shared coturn when installed, N Parley nodes and HAProxy in front;
// Ctrl-C stops them all. `npm run cluster -- --nodes 3 --port 8080`.
import { parseArgs } from 'node:util';
import { coturnInstalled } from '@parley/turn';
import { startCluster, type LocalCluster } from './cluster.ts';

const USAGE = `usage: npm run cluster -- [--nodes N] [--port P] [--no-turn]
  --nodes N    Parley nodes behind HAProxy (default 2)
  --port P     HAProxy's port on 127.0.0.1, the URL to open (default 8080; 0: a free port)
  --no-turn    do not start the shared coturn (default: started when turnserver is installed)`;

interface CliOptions {
  nodes: number;
  port: number;
  turn: boolean;
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseCli(argv: string[]): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '2' },
      port: { type: 'string', default: '8080' },
      'no-turn': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  return {
    nodes: integer('nodes', values.nodes, 1, 50),
    port: integer('port', values.port, 0, 65_535),
    turn: !values['no-turn'],
  };
}

function describe(cluster: LocalCluster): string {
  const width = Math.max(...cluster.nodes.map((node) => node.id.length));
  const nodes = cluster.nodes.map(
    (node) => `  ${node.id.padEnd(width)}  ${node.url}  (pid ${node.pid ?? '-'})`,
  );
  const turn = cluster.coturn ? cluster.coturn.urls.join(', ') : 'none';
  return [
    `Parley cluster is up. Open ${cluster.url}`,
    '',
    'Nodes (each also reachable directly):',
    ...nodes,
    `Redis       ${cluster.redis.url}`,
    `PostgreSQL  ${cluster.postgres.url}`,
    `TURN        ${turn}`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions | undefined;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const turn = options.turn && coturnInstalled();
  if (options.turn && !turn) process.stderr.write('turnserver not installed: no TURN\n');

  // Our own handlers: deploy/local's exit hooks then leave the orderly stop to us.
  let cluster: LocalCluster | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C: exit now; the exit hooks and watchdogs kill what is left.
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the cluster (Ctrl-C again to force)\n`);
    // Interrupted while starting: exiting runs the exit hooks, which kill what started.
    (cluster?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  process.stderr.write(
    `starting Redis, PostgreSQL, ${turn ? 'coturn, ' : ''}${options.nodes} nodes and HAProxy...\n`,
  );
  try {
    cluster = await startCluster({ nodes: options.nodes, port: options.port, coturn: turn });
  } catch (error) {
    process.stderr.write(
      `cluster did not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${describe(cluster)}\n`);
}

await main();
