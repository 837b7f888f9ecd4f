import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import type { LaunchOptions } from './browser.ts';

// A network-impairment rig for e2e tests (issue 20): a browser whose traffic crosses a veth
// pair into its own network namespace, where nftables drops and `tc tbf` limits it. Only the
// /30 between the two veth ends exists inside the namespace (no default route), so nothing
// the browser does can leave the machine (/work/shared/notes/environment.md).
// `netem` is missing from this kernel: there is no delay here.
//
// Use (tests/e2e/netns-rig.test.ts, precall-check.test.ts):
//   const rig = await NetRig.create();
//   const server = await startTestServer({ host: rig.hostIp });   // (and coturn: `ip: rig.hostIp`)
//   const inside = await rig.launchChromium({ secureOrigins: [server.url] });
//   const outside = await launchChromium({ secureOrigins: [server.url] });
//   await rig.impair({ lossPercent: 20 }); ... await rig.clear();
//   // afterAll: browsers, then server and coturn, then `rig.close()`.
// Nothing inside the namespace reaches 127.0.0.1 of the host: every server the inside
// browser needs binds `rig.hostIp`. An http origin on it is not a secure context unless
// listed in `secureOrigins` (no camera, no service worker otherwise).

const run = promisify(execFile);

export interface Impairment {
  /** Random loss of packets in both directions, percent (nftables `numgen random`). */
  lossPercent?: number;
  /** Bandwidth cap in each direction, kbit/s (`tc tbf` on both veth ends). */
  rateKbit?: number;
  /** Bandwidth cap on what the namespace receives only, kbit/s (the host end's `tc tbf`). */
  downRateKbit?: number;
  /** Drop UDP from and to the namespace except with these host ports (e.g. to leave TURN/TCP only
   * pass `true` or `{}`, or keep TURN/UDP with `{ exceptPorts: [turnPort] }`). */
  blockUdp?: { exceptPorts?: number[] } | boolean;
  /** Drop everything (a dead network). */
  blockAll?: boolean;
}

/** Namespaces are `parley-rig-<n>`, veth ends `prig<n>h` / `prig<n>n`, subnet 10.77.<n>.0/30. */
const NS_PREFIX = 'parley-rig-';
const MAX_RIGS = 256;
/** Who owns which rig (a pid per file), so a later run can remove a crashed run's rigs. */
const OWNERS_DIR = '/run/parley-rig';
const NFT_TABLE = 'parley_rig';

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run(cmd, args)).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A namespace without an owner file younger than this is being made, not abandoned. */
const ORPHAN_GRACE_MS = 60_000;

function namespaceBornMs(n: number): number {
  try {
    return statSync(`/run/netns/${NS_PREFIX}${n}`).mtimeMs;
  } catch {
    return 0;
  }
}

async function rigNamespaces(): Promise<number[]> {
  const out = await sh('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NS_PREFIX))
    .map((name) => Number(name.slice(NS_PREFIX.length)))
    .filter((n) => Number.isInteger(n));
}

/** Removes a rig's namespace (its nft table and its veth end go with it) and its host veth. */
async function removeRig(n: number): Promise<void> {
  // Deleting the namespace destroys the veth pair too; the explicit delete covers a half-made rig.
  await sh('ip', ['netns', 'del', `${NS_PREFIX}${n}`]).catch(() => undefined);
  await sh('ip', ['link', 'del', `prig${n}h`]).catch(() => undefined);
  rmSync(path.join(OWNERS_DIR, String(n)), { force: true });
}

/** Rigs whose owning process is gone (a crashed or killed test run). */
async function removeStaleRigs(): Promise<void> {
  for (const n of await rigNamespaces()) {
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(OWNERS_DIR, String(n)), 'utf8'));
    } catch {
      // No owner file: another process is between `netns add` and writing it (leave a young
      // one alone), or a run died right there.
      if (Date.now() - namespaceBornMs(n) < ORPHAN_GRACE_MS) continue;
    }
    if (!owner || !alive(owner)) await removeRig(n);
  }
  // Owner files of dead runs whose namespace is gone already (a live owner's file may belong
  // to a rig being made right now, so it stays).
  const live = new Set((await rigNamespaces()).map(String));
  for (const file of readdirSync(OWNERS_DIR)) {
    if (live.has(file)) continue;
    const owner = Number(readFileSync(path.join(OWNERS_DIR, file), 'utf8'));
    if (!owner || !alive(owner)) rmSync(path.join(OWNERS_DIR, file), { force: true });
  }
}

/** The nftables ruleset for an impairment, applied inside the namespace (so it dies with it). */
export function nftRuleset(i: Impairment): string {
  const rules: { in: string[]; out: string[] } = { in: [], out: [] };
  if (i.blockAll) {
    rules.in.push('drop');
    rules.out.push('drop');
  }
  if (i.blockUdp) {
    const ports = typeof i.blockUdp === 'object' ? (i.blockUdp.exceptPorts ?? []) : [];
    const except = ports.join(', ');
    rules.in.push(ports.length > 0 ? `udp sport != { ${except} } drop` : 'meta l4proto udp drop');
    rules.out.push(ports.length > 0 ? `udp dport != { ${except} } drop` : 'meta l4proto udp drop');
  }
  // Loss on the way out is dropped at the veth's egress (lossRuleset), not here: a drop in the
  // output hook fails the sender's `sendto` with EPERM, and Chromium sends such a packet again,
  // so 20 % dropped there arrived as 4 % lost (0.2 squared).
  const loss = lossRule(i);
  if (loss) rules.in.push(loss);
  const chain = (name: string, hook: string, body: string[], iface: string): string =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority 0; policy accept;`,
      // The namespace's own loopback is never impaired (the browser talks to itself there).
      `    ${iface} "lo" accept`,
      ...body.map((r) => `    ${r}`),
      '  }',
    ].join('\n');
  return [
    `table inet ${NFT_TABLE} {`,
    chain('input', 'input', rules.in, 'iifname'),
    chain('output', 'output', rules.out, 'oifname'),
    '}',
    '',
  ].join('\n');
}

/**
 * The loss on the way out of the namespace, in a netdev table on its veth end's egress hook:
 * a packet dropped after the socket layer is lost as on a real network, where the sender
 * never learns of it.
 */
export function lossRuleset(i: Impairment, device: string): string {
  const loss = lossRule(i);
  if (!loss) return `table netdev ${NFT_TABLE} {\n}\n`;
  return [
    `table netdev ${NFT_TABLE} {`,
    '  chain egress {',
    `    type filter hook egress device "${device}" priority 0; policy accept;`,
    `    ${loss}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

function lossRule(i: Impairment): string | null {
  if (i.lossPercent === undefined || i.lossPercent <= 0) return null;
  // Per mille, so fractional percentages work.
  const perMille = Math.round(Math.min(i.lossPercent, 100) * 10);
  return `numgen random mod 1000 < ${perMille} drop`;
}

/** `tc tbf` arguments for a rate: a burst of ~50 ms of traffic (at least a few MTUs). */
export function tbfArgs(rateKbit: number): string[] {
  const burstBytes = Math.max(4 * 1514, Math.round((rateKbit * 1000) / 8 / 20));
  return ['rate', `${rateKbit}kbit`, 'burst', String(burstBytes), 'latency', '200ms'];
}

export class NetRig {
  /** Host-side veth address: servers under test bind here so both namespaces reach them. */
  readonly hostIp: string;
  /** The browser's address inside the namespace. */
  readonly innerIp: string;
  readonly namespace: string;
  private readonly hostVeth: string;
  private readonly innerVeth: string;
  private readonly dir: string;
  private closed = false;

  private constructor(readonly index: number) {
    this.namespace = `${NS_PREFIX}${index}`;
    this.hostVeth = `prig${index}h`;
    this.innerVeth = `prig${index}n`;
    this.hostIp = `10.77.${index}.1`;
    this.innerIp = `10.77.${index}.2`;
    this.dir = mkdtempSync(path.join(tmpdir(), 'parley-rig-'));
  }

  /** A namespace, a veth pair and a /30; stale rigs of dead runs are removed first. */
  static async create(): Promise<NetRig> {
    mkdirSync(OWNERS_DIR, { recursive: true });
    await removeStaleRigs();
    const taken = new Set(await rigNamespaces());
    for (let n = 0; n < MAX_RIGS; n += 1) {
      if (taken.has(n)) continue;
      // `netns add` fails when the name exists: that is the claim, safe across processes.
      try {
        await sh('ip', ['netns', 'add', `${NS_PREFIX}${n}`]);
      } catch {
        continue;
      }
      writeFileSync(path.join(OWNERS_DIR, String(n)), String(process.pid));
      const rig = new NetRig(n);
      try {
        await rig.wire();
      } catch (error) {
        await rig.close();
        throw error;
      }
      return rig;
    }
    throw new Error(`no free network rig (all ${MAX_RIGS} taken)`);
  }

  private async wire(): Promise<void> {
    const ns = this.namespace;
    await sh('ip', ['link', 'add', this.hostVeth, 'type', 'veth', 'peer', 'name', this.innerVeth]);
    await sh('ip', ['link', 'set', this.innerVeth, 'netns', ns]);
    await sh('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostVeth]);
    await sh('ip', ['link', 'set', this.hostVeth, 'up']);
    const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);
    await inNs('ip', 'addr', 'add', `${this.innerIp}/30`, 'dev', this.innerVeth);
    await inNs('ip', 'link', 'set', this.innerVeth, 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await this.clear();
  }

  /**
   * A Playwright Chromium whose network is the namespace's: a wrapper script enters it and
   * execs Chromium (Playwright talks to it over a pipe, which crosses namespaces).
   */
  async launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    const wrapper = path.join(this.dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.namespace} ${chromium} "$@"\n`, {
      mode: 0o755,
    });
    return launchChromium({ ...opts, executablePath: wrapper });
  }

  /** Replaces the current impairment (an empty one clears it). */
  async impair(i: Impairment): Promise<void> {
    const ns = this.namespace;
    // `add` then `delete` then the new table, in one transaction: never a moment unimpaired.
    await sh(
      'ip',
      ['netns', 'exec', ns, 'nft', '-f', '-'],
      [
        `add table inet ${NFT_TABLE}`,
        `delete table inet ${NFT_TABLE}`,
        `add table netdev ${NFT_TABLE}`,
        `delete table netdev ${NFT_TABLE}`,
        nftRuleset(i),
        lossRuleset(i, this.innerVeth),
      ].join('\n'),
    );
    for (const [dev, inside] of [
      [this.hostVeth, false],
      [this.innerVeth, true],
    ] as const) {
      const tc = inside ? ['ip', 'netns', 'exec', ns, 'tc'] : ['tc'];
      const [cmd, ...pre] = tc as [string, ...string[]];
      // The host end sends into the namespace: its cap is the namespace's downlink.
      const rate = inside ? i.rateKbit : (i.downRateKbit ?? i.rateKbit);
      if (rate !== undefined && rate > 0) {
        await sh(cmd, [...pre, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', ...tbfArgs(rate)]);
      } else {
        // No root qdisc to delete is fine: that is the unimpaired state.
        await sh(cmd, [...pre, 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      }
    }
  }

  clear(): Promise<void> {
    return this.impair({});
  }

  /** Removes namespace, veth and rules; safe to call twice. Close the rig's browsers first:
   * a process inside a deleted namespace lives on, cut off. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await removeRig(this.index);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
