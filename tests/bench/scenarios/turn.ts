// TURN: relayed packets per CPU-second of the local coturn (the embedded default's config).

import { spawn } from 'node:child_process';
import { freeTcpUdpPort, mintTurnCredential, startLocalCoturn } from '@parley/turn';
import { childPids, cpuMeter } from '../lib/proc.ts';
import { round } from '../lib/stats.ts';
import type { Scenario, ScenarioOutput } from '../types.ts';

const FULL = { clients: 20, messages: 4000, intervalMs: 1, length: 100 };
const SMOKE = { clients: 4, messages: 200, intervalMs: 1, length: 100 };

interface Uclient {
  sent: number;
  received: number;
  lost: number;
  seconds: number;
  cores: number;
}

function runUclient(
  port: number,
  username: string,
  password: string,
  plan: typeof FULL,
): Promise<Uclient> {
  const args = [
    // -y: clients talk to each other, both through allocations; -c: no extra RTCP allocation.
    ...['-y', '-c', '-m', String(plan.clients), '-n', String(plan.messages)],
    ...['-z', String(plan.intervalMs), '-l', String(plan.length)],
    ...['-u', username, '-w', password, '-p', String(port), '127.0.0.1'],
  ];
  const t0 = performance.now();
  const child = spawn('turnutils_uclient', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const meter = child.pid ? cpuMeter(child.pid) : undefined;
  let out = '';
  let cores = 0;
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  // Sample the client's CPU just before it exits (after, /proc has nothing to read).
  const sampler = setInterval(() => {
    try {
      cores = meter?.stop().cores ?? 0;
    } catch {
      clearInterval(sampler);
    }
  }, 200);
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      const seconds = (performance.now() - t0) / 1000;
      const totals = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(
        out
          .split('\n')
          .filter((l) => !l.includes('msz='))
          .join('\n'),
      );
      const lost = /Total lost packets (\d+)/.exec(out);
      if (code !== 0 || !totals)
        return reject(new Error(`turnutils_uclient failed (${code}): ${out.slice(-500)}`));
      resolve({
        sent: Number(totals[1]),
        received: Number(totals[2]),
        lost: Number(lost?.[1] ?? 0),
        seconds,
        cores,
      });
    });
  });
}

async function run(smoke: boolean, log: (l: string) => void): Promise<ScenarioOutput> {
  const plan = smoke ? SMOKE : FULL;
  const port = await freeTcpUdpPort();
  const coturn = await startLocalCoturn({ port, minPort: 55000, maxPort: 55200 });
  try {
    const [pid] = childPids('turnserver');
    if (pid === undefined) throw new Error('turnserver pid not found among our children');
    const cred = mintTurnCredential({ secret: coturn.secret, user: 'bench', ttlS: 600 });
    const meter = cpuMeter(pid);
    const u = await runUclient(port, cred.username, cred.credential, plan);
    const server = meter.stop();
    const perCpuSecond = u.received / server.cpuSeconds;
    log(
      `  ${u.received} relayed in ${u.seconds.toFixed(1)} s; turnserver ${server.cpuSeconds.toFixed(2)} CPU-s`,
    );
    return {
      figures: [
        {
          key: 'relayed_per_cpu_second',
          label: 'relayed messages per turnserver CPU-second',
          value: Math.round(perCpuSecond),
          unit: 'msg/CPU-s',
        },
        {
          key: 'relayed_per_second',
          label: 'relayed messages per wall second (offered load)',
          value: Math.round(u.received / u.seconds),
          unit: 'msg/s',
        },
        {
          key: 'turnserver_cores',
          label: 'turnserver CPU while relaying',
          value: round(server.cores * 100, 1),
          unit: '% of a core',
        },
        { key: 'lost', label: 'lost messages', value: u.lost, unit: 'messages' },
      ],
      details: {
        plan,
        uclient: u,
        turnserver: { cpuSeconds: server.cpuSeconds, cores: round(server.cores, 3) },
      },
      notes:
        u.cores > 0.8
          ? [
              `turnutils_uclient used ${(u.cores * 100).toFixed(0)} % of a core: the generator, not coturn, limits the offered load; the per-CPU-second figure is still coturn's own.`,
            ]
          : [],
    };
  } finally {
    await coturn.stop();
  }
}

export const turn: Scenario = {
  name: 'turn',
  title: 'TURN relay (coturn)',
  description: [
    "`startLocalCoturn` (the embedded default's development config: UDP on 127.0.0.1, TURN REST credentials) and `turnutils_uclient -y -c`: 20 clients in pairs, each with its own allocation, send 4,000 messages of 100 bytes at 1 ms intervals to their partner's relayed address. Every delivered message crosses coturn twice (client -> allocation A -> allocation B -> client), the same two relay hops as one echo round trip through a single allocation.",
    "Figure: delivered messages / CPU seconds of `turnserver` over the run (`/proc/<pid>/stat`, the pid found among this process's children).",
  ].join('\n\n'),
  target: 'report it',
  anchor:
    'coturn ~25k relayed round trips/s per vCPU (as quoted in the issue; not re-checked offline).',
  needs: ['turnserver', 'turnutils_uclient'],
  analysis: [
    'coturn relayed ~73k messages per CPU-second (each two relay hops, comparable to a round trip), about three times the ~25k/s per vCPU anchor. The caveat is load: coturn used under a tenth of a core, because one `turnutils_uclient` offers only ~7k messages/s. At saturation the per-message cost may differ (batching lowers it, contention raises it), so treat the figure as provisional until a heavier generator (several uclient processes, or one per netns) is added.',
  ].join('\n\n'),
  run: ({ smoke, log }) => run(smoke, log),
};
