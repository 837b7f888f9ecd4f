// Where a mediasoup worker's CPU goes, by cost centre, from `perf record -g` (issue #15):
//
//   node --import tsx tests/bench/workerProfile.ts <worker pid> [seconds, default 8]
//
// Each sample is counted once, in the first centre that matches. The first one matters for
// reading the bench: on loopback, the kernel delivers a UDP packet to the receiving socket
// inside the sender's `sendmsg` (a softirq run on `local_bh_enable`), and with tick-based CPU
// accounting (no CONFIG_IRQ_TIME_ACCOUNTING) that time is the sender's. Behind a real NIC the
// receiver's machine does that work: it is the bots' cost that the worker's getrusage shows.
//
// Debian's libraries carry no debug symbols and the worker has no frame pointers: the user
// side is attributed by the sampled function and its library only.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Frame {
  symbol: string;
  dso: string;
}

/** Kernel functions of the receive path: a sample under one is the receiver's delivery. */
const RECEIVE_PATH = ['net_rx_action', 'process_backlog', '__netif_receive_skb', 'ip_rcv'];

const CENTRES: { name: string; match: (leaf: Frame, stack: Frame[]) => boolean }[] = [
  {
    name: 'kernel: loopback delivery to the receiving socket (work of the receiver)',
    match: (_, stack) => stack.some((f) => RECEIVE_PATH.some((r) => f.symbol.startsWith(r))),
  },
  {
    name: 'kernel: the VM paravirtual interrupt enable/disable (pvm_*)',
    match: (leaf) => leaf.dso.includes('kernel') && /^(__raw_callee_save_)?pvm_/.test(leaf.symbol),
  },
  {
    name: 'kernel: other (send path, system calls, timers)',
    match: (l) => l.dso.includes('kernel'),
  },
  {
    name: 'SRTP: libsrtp and NSS',
    match: (l) => /lib(srtp|nss|softokn|freebl|nspr|plc|plds)/.test(l.dso),
  },
  {
    name: 'SRTP: libsrtp linked into the worker',
    match: (l) =>
      l.dso.includes('mediasoup-worker') && /^(srtp_|aes_icm|hmac|null_)/.test(l.symbol),
  },
  {
    name: 'OpenSSL libcrypto (SRTP with OpenSSL, DTLS)',
    match: (l) => l.dso.includes('libcrypto'),
  },
  {
    name: 'worker: transport-cc and bandwidth estimation (libwebrtc)',
    match: (l) =>
      l.dso.includes('mediasoup-worker') &&
      /webrtc::|TransportCongestionControl|FeedbackRtpTransport/.test(l.symbol),
  },
  {
    name: 'worker: other (routing, streams, counters)',
    match: (l) => l.dso.includes('mediasoup-worker'),
  },
  {
    name: 'libc, libstdc++ (malloc, the sendmsg wrapper)',
    match: (l) => /lib(c|stdc\+\+|m)\.so/.test(l.dso),
  },
  { name: 'libuv', match: (l) => l.dso.includes('libuv') },
  { name: 'other', match: () => true },
];

/** Samples of `perf script` output: one stack (leaf first) per sample. */
export function parsePerfScript(text: string): Frame[][] {
  const samples: Frame[][] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const frames: Frame[] = [];
    for (const line of block.split('\n')) {
      const m = /^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
      if (m?.[1] && m[2]) frames.push({ symbol: m[1].replace(/\+0x[0-9a-f]+$/, ''), dso: m[2] });
    }
    if (frames.length > 0) samples.push(frames);
  }
  return samples;
}

/** Share of the samples per cost centre, largest first. */
export function costCentres(samples: Frame[][]): { name: string; share: number }[] {
  const counts = new Map<string, number>();
  for (const stack of samples) {
    const leaf = stack[0];
    if (!leaf) continue;
    const centre = CENTRES.find((c) => c.match(leaf, stack))?.name ?? 'other';
    counts.set(centre, (counts.get(centre) ?? 0) + 1);
  }
  return [...counts]
    .map(([name, n]) => ({ name, share: n / Math.max(1, samples.length) }))
    .sort((a, b) => b.share - a.share);
}

function profile(pid: number, seconds: number): Frame[][] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-perf-'));
  try {
    const data = path.join(dir, 'perf.data');
    const record = spawnSync(
      'perf',
      [
        'record',
        '-q',
        '-F',
        '997',
        '-g',
        '-p',
        String(pid),
        '-o',
        data,
        '--',
        'sleep',
        String(seconds),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (record.error || record.status !== 0) {
      throw new Error(
        `perf record failed (is Debian's linux-perf installed?): ${record.error?.message ?? record.status}`,
      );
    }
    const script = spawnSync('perf', ['script', '-i', data], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return parsePerfScript(script.stdout ?? '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pid = Number(process.argv[2]);
  const seconds = Number(process.argv[3] ?? 8);
  if (!Number.isInteger(pid) || pid <= 0) {
    process.stderr.write('usage: workerProfile.ts <worker pid> [seconds]\n');
    process.exit(2);
  }
  const samples = profile(pid, seconds);
  process.stdout.write(`${samples.length} samples in ${seconds} s\n`);
  for (const { name, share } of costCentres(samples)) {
    process.stdout.write(`${(100 * share).toFixed(1).padStart(5)} %  ${name}\n`);
  }
}
