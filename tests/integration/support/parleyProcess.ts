// The real server (`signaling/src/main.ts`, as `npm start` runs it) in a child process, so a
// test can kill it with SIGKILL and start it again on the same data directory.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'signaling/src/main.ts');

export interface ParleyProcess {
  url: string;
  pid: number;
  /** SIGKILL: no shutdown handler runs, nothing is flushed; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts main.ts on an ephemeral loopback port with `env` on top of a mesh-only, TURN-less
 * configuration, and resolves with its URL once it logs `listening`. A process that exits
 * first, or does not listen within 60 s, rejects with its last log lines.
 */
export async function startParleyProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ParleyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      STATIC_DIR: '',
      SFU: 'off',
      LOCAL_TURN: 'off',
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const recent: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const failure = (why: string): Error =>
      new Error(`parley (pid ${child.pid}) ${why}; it said:\n${recent.join('\n')}`);
    const timer = setTimeout(() => reject(failure('did not listen within 60 s')), 60_000);
    createInterface({ input: child.stderr! }).on('line', (text) => {
      recent.push(text);
      if (recent.length > 20) recent.shift();
      const listening = urlOf(text);
      if (listening) {
        clearTimeout(timer);
        resolve(listening);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(failure(`exited (${child.exitCode ?? child.signalCode}) before listening`));
    });
  }).catch(async (error: unknown) => {
    await killAndWait(child, exited);
    throw error;
  });
  return { url, pid: child.pid!, kill: () => killAndWait(child, exited) };
}

function urlOf(logLine: string): string | undefined {
  try {
    const entry = JSON.parse(logLine) as { msg?: unknown; url?: unknown };
    return entry.msg === 'listening' && typeof entry.url === 'string' ? entry.url : undefined;
  } catch {
    return undefined;
  }
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}
