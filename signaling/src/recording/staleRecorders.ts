import { readFile, readdir } from 'node:fs/promises';

/**
 * Kills the FFmpeg recorders a previous run of this node left behind (issue 18): a node killed
 * with SIGKILL cannot stop its children, and each orphan would hold a port pair and an open
 * file in `root` forever, receiving nothing. They are found by their command line (every
 * recorder reads an SDP file under `root`). Linux's /proc; elsewhere nothing is found.
 * Returns the pids it killed.
 */
export async function killStaleRecorders(root: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const killed: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    const ffmpeg = /(^|\/)ffmpeg$/.test(args[0] ?? '');
    if (!ffmpeg || !args.some((a) => a.startsWith(`${root}/`))) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // it exited meanwhile
    }
  }
  return killed;
}
