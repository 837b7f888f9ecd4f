// `npm run load -- [flags]`: headless WebRTC participants in one room (issue #15). See --help
// and docs/load.md.

import { parseArgs } from 'node:util';
import { expectedConsumers, runLoad } from './run.ts';
import type { LoadOptions } from './run.ts';
import { formatSummary, summarize } from './report.ts';
import { startLocalServer } from './localServer.ts';

const HELP = `Usage: npm run load -- [flags]

Joins headless participants ("bots") to one room through the real protocol (WebSocket
signaling, the waiting room, the SFU) and real WebRTC in Node (werift: ICE, DTLS, SRTP, RTCP
with NACK and PLI). Publishers send a looping pre-encoded clip (VP8 640x360 ~500 kbit/s at
30 fps plus Opus 32 kbit/s, made once with FFmpeg into node_modules/.cache/parley-load/).
Every bot consumes the others' producers and counts what arrives.

Prints, per participant and in total: received bitrate, loss, join time (join sent ->
joined), time to first media and first keyframe, and the server's CPU (from its /metrics,
when readable; with the local server and --processes 0 only its SFU workers', since its
signaling then shares this process with the bots), and the bots' own CPU. Exits 1 when a bot fails, a consumer gets no media or no keyframe, or loss
is above --max-loss; 2 on bad flags.

Flags:
  --url <base>           Server to load, e.g. http://127.0.0.1:8080. Default: start a server
                         in this process on 127.0.0.1 (port 0, one SFU worker, its own data
                         directory, rooms of up to 1000), used for the run and stopped after
                         it. A server of your own applies its ROOM_MAX_PEERS (default 50).
  --room <id>            Join this existing room. Default: create one (POST /api/rooms, waiting
                         room off), whose host key makes the first bot its host.
  --host-key <key>       The room's host key (with --room): the first bot joins as host and
                         admits the other bots from the waiting room (by --name-prefix).
  --password <pw>        The room's password, if it has one.
  --publishers <n>       Bots that publish the clip (and consume the others). Default 1.
  --subscribers <n>      Bots that only consume. Default 1.
  --duration <s>         Seconds measured once every bot has joined. Default 10.
  --audio-only           Publishers send Opus only.
  --video-layers <n>     Simulcast layers each publisher sends to the SFU, as the app does:
                         3 = 320x180, 640x360, 1280x720 (100/300/900 kbit/s, the app's 720p
                         camera), 2 = 320x180, 640x360 (300/900 kbit/s); the SFU picks one
                         per consumer. Mesh links get one 640x360 picture. The clip is made
                         once with FFmpeg (~20 s for 3 layers). Default 1: one 640x360 layer.
  --max-video <n>        Video consumers per bot at most (9 for a 3x3 grid). Default: all.
  --max-loss <pct>       Fail above this loss, percent of expected packets. Default 5.
  --name-prefix <text>   Bots are named <prefix>-pub-<i> / <prefix>-sub-<i>. Default bot.
  --concurrency <n>      Bots joining at the same time. Default 4.
  --processes <k>        Bot processes the bots are spread over (forked; one core each at
                         most), new bots handed to each in turn; 0 runs them in this process.
                         Default: one per 30 bots. A bot process is killed when the run ends,
                         fails or overruns its time limit (2 min + duration + 2 s a bot).
  --metrics-token <t>    Bearer token for the server's /metrics (METRICS_TOKEN), for its CPU.
  --mesh-max-peers <n>   Local server only (no --url): its MESH_MAX_PEERS. Default 1, so a
                         room of two is already on the SFU: bots do not speak the mesh yet.
  --json                 Print the raw result as JSON instead of the table.
  --help                 This text.
`;

const FLAGS = {
  url: { type: 'string' },
  room: { type: 'string' },
  'host-key': { type: 'string' },
  password: { type: 'string' },
  publishers: { type: 'string', default: '1' },
  subscribers: { type: 'string', default: '1' },
  duration: { type: 'string', default: '10' },
  'audio-only': { type: 'boolean', default: false },
  'video-layers': { type: 'string' },
  'max-video': { type: 'string' },
  'max-loss': { type: 'string', default: '5' },
  'name-prefix': { type: 'string', default: 'bot' },
  concurrency: { type: 'string', default: '4' },
  processes: { type: 'string' },
  'metrics-token': { type: 'string' },
  'mesh-max-peers': { type: 'string', default: '1' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

class UsageError extends Error {}

function count(name: string, text: string | undefined, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs an integer >= ${min}`);
  return n;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} needs a positive number`);
  return n;
}

function layers(text: string): number {
  const n = Number(text);
  if (![1, 2, 3].includes(n)) throw new UsageError('--video-layers needs 1, 2 or 3');
  return n;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'];

function optionsOf(v: Values, url: string): LoadOptions {
  if (v['host-key'] && !v.room) throw new UsageError('--host-key goes with --room');
  const publishers = count('publishers', v.publishers);
  const subscribers = count('subscribers', v.subscribers);
  if (publishers + subscribers === 0)
    throw new UsageError('no bots: give --publishers or --subscribers');
  return {
    url: url.replace(/\/+$/, ''),
    ...(v.room ? { roomId: v.room } : {}),
    ...(v['host-key'] ? { hostKey: v['host-key'] } : {}),
    ...(v.password ? { password: v.password } : {}),
    publishers,
    subscribers,
    durationS: positive('duration', v.duration),
    audioOnly: v['audio-only'],
    ...(v['max-video'] !== undefined ? { maxVideo: count('max-video', v['max-video']) } : {}),
    ...(v['video-layers'] !== undefined ? { videoLayers: layers(v['video-layers']) } : {}),
    namePrefix: v['name-prefix'],
    concurrency: count('concurrency', v.concurrency, 1),
    ...(v.processes !== undefined ? { processes: count('processes', v.processes) } : {}),
    ...(v['metrics-token'] ? { metricsToken: v['metrics-token'] } : {}),
  };
}

async function main(argv: string[]): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({
      args: argv,
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let local: Awaited<ReturnType<typeof startLocalServer>> | undefined;
  try {
    // Flags are checked before a local server starts.
    const meshMaxPeers = count('mesh-max-peers', values['mesh-max-peers'], 1);
    const maxLossPct = positive('max-loss', values['max-loss']);
    optionsOf(values, values.url ?? 'http://127.0.0.1');
    if (!values.url) local = await startLocalServer({ meshMaxPeers });
    const options = {
      ...optionsOf(values, values.url ?? local?.url ?? ''),
      serverSharesProcess: local !== undefined,
    };
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (local) log(`local server at ${local.url}`);
    const result = await runLoad(options, log);
    const summary = summarize(result, {
      consumersPerBot: (bot) => expectedConsumers(options, bot),
      maxLossPct,
    });
    if (values.json) process.stdout.write(`${JSON.stringify({ result, summary }, null, 2)}\n`);
    else process.stdout.write(`${formatSummary(summary).join('\n')}\n`);
    return summary.failures.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`load run failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await local?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
// werift keeps sockets and timers open a little after close; the run is over.
process.exit();
