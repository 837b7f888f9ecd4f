// Reading other processes' CPU and memory from /proc (Linux), for figures that must not
// include the load generator.

import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = 100;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": the comm may itself contain spaces or parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU time of a process, seconds. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}

/** Resident set size of a process, bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** Pids of this process's direct children whose command name is `comm`. */
export function childPids(comm: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === comm && Number(statFields(Number(entry))[1]) === parent) {
        pids.push(Number(entry));
      }
    } catch {
      // The process exited between readdir and read: not one of ours any more.
      continue;
    }
  }
  return pids;
}

/** The soft limit on open files of this process (from /proc/self/limits). */
export function openFilesLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /Max open files\s+(\d+|unlimited)/.exec(limits)?.[1] ?? '1024';
  return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
}

/** Measures a process's CPU over an interval: call `stop()` for cores used (cpu-s per s). */
export function cpuMeter(pid: number): { stop(): { cpuSeconds: number; cores: number } } {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  return {
    stop() {
      const cpu = cpuSeconds(pid) - cpu0;
      return { cpuSeconds: cpu, cores: cpu / ((performance.now() - t0) / 1000) };
    },
  };
}

/** Share of the whole machine's CPU time that was busy (all cores, /proc/stat) over an interval. */
export function machineCpuMeter(): { stop(): number } {
  const read = (): { busy: number; total: number } => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const n = fields.map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  };
  const start = read();
  return {
    stop() {
      const end = read();
      const total = end.total - start.total;
      return total > 0 ? (end.busy - start.busy) / total : 0;
    },
  };
}

/**
 * Waits until the machine is idle again (under `busy` of all cores over a second), at most
 * `maxMs`: a scenario's next mode then does not start in the wake of the last one's browsers.
 * Returns the share busy in the last second.
 */
export async function untilIdle(busy = 0.25, maxMs = 30_000): Promise<number> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const meter = machineCpuMeter();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const share = meter.stop();
    if (share < busy || performance.now() > deadline) return share;
  }
}
