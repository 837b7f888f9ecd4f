import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** One UDP socket a process holds, as the kernel reports it. */
export interface UdpBinding {
  address: string;
  port: number;
}

/** The kernel's hex address (little-endian IPv4, four little-endian words for IPv6) as text. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    return (hex.match(/../g) ?? [])
      .map((byte) => parseInt(byte, 16))
      .reverse()
      .join('.');
  }
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse());
  const groups = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push(`${bytes[i]}${bytes[i + 1]}`);
  return groups.map((g) => g.replace(/^0{1,3}/, '')).join(':');
}

/**
 * The addresses and ports a process's UDP sockets are bound to, read from /proc (its open
 * file descriptors' socket inodes, matched in /proc/net/udp and udp6): what `ss -ulnp`
 * shows, without depending on `ss` seeing other processes.
 */
export function udpBindingsOf(pid: number): UdpBinding[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed while we read the directory.
    }
  }
  const bindings: UdpBinding[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = (fields[1] ?? '').split(':');
      if (!hexAddress || !hexPort || !inodes.has(fields[9] ?? '')) continue;
      bindings.push({ address: decodeAddress(hexAddress), port: parseInt(hexPort, 16) });
    }
  }
  return bindings;
}
