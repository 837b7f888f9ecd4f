// UDP port pairs for FFmpeg to receive RTP on (RTP on an even port, RTCP on the next).

import dgram from 'node:dgram';

export interface PortRange {
  min: number;
  max: number;
}

/** Default range; outside the SFU's default 40000-49999 and Linux's ephemeral 32768-60999 would
 * overlap anyway, so keep operators' firewalls simple: loopback only, a fixed small block. */
export const DEFAULT_RTP_PORTS: PortRange = { min: 51000, max: 51999 };

/**
 * Hands out port pairs that are free right now and not leased to another session of this
 * gateway. A pair is probed by binding both ports on the loopback and releasing them; FFmpeg
 * binds them a moment later (a small race with other processes, which a restart survives).
 */
export class PortPool {
  private readonly leased = new Set<number>();

  constructor(
    private readonly range: PortRange = DEFAULT_RTP_PORTS,
    private readonly ip = '127.0.0.1',
  ) {
    const { min, max } = range;
    if (
      !Number.isInteger(min) ||
      !Number.isInteger(max) ||
      min < 1024 ||
      max > 65535 ||
      max - min < 1
    ) {
      throw new Error(`hls-gateway: bad RTP port range ${min}-${max}`);
    }
  }

  /** Leases `count` pairs; returns each pair's (even) RTP port. */
  async lease(count: number): Promise<number[]> {
    const ports: number[] = [];
    const first = this.range.min + (this.range.min % 2);
    const pairs = Math.floor((this.range.max - first + 1) / 2);
    const offset = Math.floor(Math.random() * pairs);
    for (let i = 0; i < pairs && ports.length < count; i += 1) {
      const port = first + 2 * ((offset + i) % pairs);
      if (this.leased.has(port)) continue;
      if (await this.pairIsFree(port)) {
        this.leased.add(port);
        ports.push(port);
      }
    }
    if (ports.length < count) {
      this.release(ports);
      throw new Error(`hls-gateway: no free RTP port pair in ${this.range.min}-${this.range.max}`);
    }
    return ports;
  }

  release(ports: readonly number[]): void {
    for (const port of ports) this.leased.delete(port);
  }

  private async pairIsFree(port: number): Promise<boolean> {
    const sockets: dgram.Socket[] = [];
    try {
      for (const p of [port, port + 1]) {
        const socket = dgram.createSocket('udp4');
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(p, this.ip, () => resolve());
        });
      }
      return true;
    } catch {
      return false;
    } finally {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  }
}
