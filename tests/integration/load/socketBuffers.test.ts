// The bots' UDP sockets get a large receive buffer (tests/load/socketBuffers.ts): without it a
// bot receiving 9 videos overflowed the kernel's default buffer and lost most packets.

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOT_SOCKET_RECV_BUFFER } from '../../load/socketBuffers.ts';

describe("bots' UDP sockets", () => {
  it('open with a receive buffer past the kernel default, as far as rmem_max allows', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));
    // What werift does: the ES binding of dgram's createSocket, bound to a loopback port.
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    // Linux reports twice what was set (it counts its bookkeeping), capped by rmem_max.
    expect(socket.getRecvBufferSize()).toBe(2 * Math.min(BOT_SOCKET_RECV_BUFFER, rmemMax));
    expect(socket.getRecvBufferSize()).toBeGreaterThan(2 * rmemDefault);
    socket.close();
  });
});
