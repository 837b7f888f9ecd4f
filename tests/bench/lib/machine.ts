// The machine a run happened on, for BENCHMARKS.md.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  ffmpeg: string;
  mediasoup: string;
  coturn: string;
}

function firstLine(command: string, args: string[], pattern?: RegExp): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return 'not installed';
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const line =
    (pattern ? text.split('\n').find((l) => pattern.test(l)) : text.split('\n')[0]) ?? '';
  return line.trim() || 'unknown';
}

function osName(): string {
  const release = readFileSync('/etc/os-release', 'utf8');
  return /PRETTY_NAME="([^"]+)"/.exec(release)?.[1] ?? `${os.type()} ${os.release()}`;
}

function mediasoupVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('mediasoup/package.json') as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function describeMachine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    node: process.version,
    chromium: firstLine('chromium', ['--version']),
    ffmpeg: firstLine('ffmpeg', ['-version']).replace(/ Copyright.*/, ''),
    mediasoup: mediasoupVersion(),
    coturn: firstLine('turnserver', ['--version']),
  };
}
