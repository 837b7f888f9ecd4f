import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintTurnCredential } from './credentials.ts';
import { renderTemplate } from './coturn.ts';

/**
 * The production coturn config, proven on a real coturn inside a network namespace made for
 * this test. Everything (coturn, the client, the listening peer) runs in the namespace, whose
 * only interface is its own loopback carrying one address from each range under test, so no
 * packet can leave the machine whatever coturn decides.
 */
const NS = `parley-turn-${randomBytes(3).toString('hex')}`;
// Ordinary public unicast addresses (no special-purpose range) that exist only in the namespace:
// one a peer may be relayed to, one standing for the server's own public address.
const ALLOWED = '11.0.0.2';
const SELF = '11.0.0.3';
const V4_DENIED = [
  '127.0.0.1',
  '10.99.0.2',
  '172.16.99.2',
  '192.168.99.2',
  '100.64.99.2',
  '169.254.169.254',
  SELF,
];
/** Denied ranges probed without an address in the namespace: coturn answers 403 first. */
const V4_DENIED_ELSEWHERE = [
  '192.0.0.9',
  '192.0.2.2',
  '192.88.99.2',
  '198.18.0.2',
  '198.51.100.2',
  '203.0.113.2',
  '224.0.0.251',
  '239.255.255.250',
  '240.0.0.2',
  '255.255.255.255',
];
const V6_DENIED = ['::1', 'fd00::2', 'fe80::2'];
const V6_DENIED_ELSEWHERE = [
  '::',
  '64:ff9b::a00:2',
  '64:ff9b:1::a00:2',
  '100::2',
  '2001::a00:2',
  '2001:db8::2',
  '2002:a00:2::2',
  'fec0::2',
  'ff02::1',
];
const MAPPED_DENIED = [
  '::ffff:127.0.0.1',
  '::ffff:10.99.0.2',
  '::ffff:192.168.99.2',
  '::ffff:169.254.169.254',
  `::ffff:${SELF}`,
  '::ffff:192.0.2.2',
  '::ffff:198.51.100.2',
  '::ffff:203.0.113.2',
  '::ffff:224.0.0.251',
  '::ffff:240.0.0.2',
];
const PEER_PORT = 3480;
const SECRET = 'prod-config-test-secret';

const inNs = (cmd: string, args: string[]) =>
  spawnSync('ip', ['netns', 'exec', NS, cmd, ...args], { encoding: 'utf8', timeout: 20_000 });

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/** One relayed exchange through coturn to `peer`: 'relayed', 'forbidden' (403) or 'lost'. */
let probes = 0;

function relayTo(peer: string): 'relayed' | 'forbidden' | 'lost' {
  // A user per probe: the config's per-user quota must not be what refuses a probe.
  const user = `probe${++probes}`;
  const { username, credential } = mintTurnCredential({ secret: SECRET, user, ttlS: 600 });
  const v6 = peer.includes(':') ? ['-x'] : [];
  const args = [...v6, '-n', '1', '-m', '1', '-l', '100', '-u', username, '-w', credential];
  const r = inNs('turnutils_uclient', [...args, '-e', peer, '-r', String(PEER_PORT), ALLOWED]);
  const out = `${r.stdout}${r.stderr}`;
  if (/403 \(Forbidden IP\)/.test(out)) return 'forbidden';
  return /tot_recv_msgs=[1-9]/.test(out) ? 'relayed' : 'lost';
}

/** A TCP relay allocation (RFC 6062): 'refused' (442) or 'allocated'. */
function tcpRelay(): 'refused' | 'allocated' | 'lost' {
  const user = `tcp${++probes}`;
  const { username, credential } = mintTurnCredential({ secret: SECRET, user, ttlS: 600 });
  const args = ['-T', '-n', '1', '-m', '1', '-l', '100', '-u', username, '-w', credential];
  const r = inNs('turnutils_uclient', [...args, ALLOWED]);
  const out = `${r.stdout}${r.stderr}`;
  if (/\b442\b/.test(out)) return 'refused';
  return /tot_recv_msgs=[1-9]/.test(out) ? 'allocated' : 'lost';
}

// Each test starts coturn and runs uclient probes one after the other: tens of seconds on a
// loaded machine, so more than the unit project's 30 s default.
describe('production coturn config (turn/config/turnserver.prod.conf)', { timeout: 90_000 }, () => {
  let dir: string;
  let peer: ChildProcess;
  let coturn: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-turn-prod-'));
    ip('netns', 'add', NS);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    for (const a of [ALLOWED, ...V4_DENIED.filter((a) => a !== '127.0.0.1')]) {
      ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${a}/32`, 'dev', 'lo');
    }
    for (const a of V6_DENIED.filter((a) => a !== '::1')) {
      ip('netns', 'exec', NS, 'ip', '-6', 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad');
    }
    const cert = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=turn.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    if (cert.status !== 0) throw new Error(`openssl: ${cert.stderr}`);
    // Link-local needs a scope to bind; it is still checked for coturn's 403 below.
    const listenOn = [ALLOWED, ...V4_DENIED, ...V6_DENIED.filter((a) => !a.startsWith('fe80'))];
    const listen = listenOn.flatMap((a) => ['-L', a]);
    peer = spawn(
      'ip',
      ['netns', 'exec', NS, 'turnutils_peer', ...listen, '-p', String(PEER_PORT)],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    await stop(coturn);
    peer?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts coturn in the namespace with `conf`, waiting until it relays to the allowed peer. */
  async function start(conf: string): Promise<void> {
    await stop(coturn);
    const file = path.join(dir, `turnserver-${randomBytes(3).toString('hex')}.conf`);
    writeFileSync(file, conf, { mode: 0o600 });
    coturn = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'turnserver',
        '-c',
        file,
        '--log-file',
        'stdout',
        '--pidfile',
        path.join(dir, 'pid'),
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 15_000;
    while (relayTo(ALLOWED) !== 'relayed') {
      if (Date.now() > deadline) throw new Error('coturn did not relay to the allowed peer');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * A refusal only counts while coturn is there to give it (issue 14): its process runs and it
   * still relays to the allowed peer, an allocation it answered.
   */
  function expectAlive(): void {
    const running = coturn !== undefined && coturn.exitCode === null && coturn.signalCode === null;
    expect(running, 'turnserver is running').toBe(true);
    expect(relayTo(ALLOWED), 'coturn relays to the allowed peer').toBe('relayed');
  }

  function productionConfig(): string {
    const template = readFileSync(
      path.join(import.meta.dirname, '../config/turnserver.prod.conf'),
      'utf8',
    );
    const rendered = renderTemplate(template, {
      PUBLIC_IP: SELF,
      LISTEN_IP: ALLOWED,
      RELAY_IP: ALLOWED,
      REALM: 'turn.test',
      SECRET,
      TLS_CERT: path.join(dir, 'cert.pem'),
      TLS_KEY: path.join(dir, 'key.pem'),
    });
    // In the namespace there is no NAT: external-ip (which would also map the second relay
    // address away) goes. A second, IPv4-mapped relay address lets IPv6 peers be tried at all.
    const local = rendered.replace(/^external-ip=.*$/m, '');
    return `${local}\nrelay-ip=::ffff:${ALLOWED}\n`;
  }

  it('relays to an allowed address and refuses every denied range, IPv4-mapped forms included', async () => {
    await start(productionConfig());
    expect(relayTo(`::ffff:${ALLOWED}`)).toBe('relayed');
    const denied = [
      ...V4_DENIED,
      ...V4_DENIED_ELSEWHERE,
      ...V6_DENIED,
      ...V6_DENIED_ELSEWHERE,
      ...MAPPED_DENIED,
    ];
    expectAlive();
    for (const address of denied) expect(relayTo(address), address).toBe('forbidden');
    expectAlive();
  });

  it('allocates no TCP relay unless the line asking for none is taken out', async () => {
    await start(productionConfig());
    expectAlive();
    expect(tcpRelay()).toBe('refused');
    expectAlive();
    const withTcp = productionConfig().replace(/^no-tcp-relay$/m, '');
    await start(withTcp);
    expect(tcpRelay()).toBe('allocated');
  });

  it('needs its explicit ::ffff: lines: without them coturn 4.6 relays to ::ffff:127.0.0.1', async () => {
    const withoutMapped = productionConfig()
      .split('\n')
      .filter((line) => !line.startsWith('denied-peer-ip=::ffff:'))
      .join('\n');
    await start(withoutMapped);
    expectAlive();
    expect(relayTo('127.0.0.1')).toBe('forbidden');
    expect(relayTo('::ffff:127.0.0.1')).toBe('relayed');
  });
});

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
