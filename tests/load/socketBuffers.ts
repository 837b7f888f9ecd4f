// Bots' UDP sockets get a 4 MB receive buffer (werift opens them with the kernel default,
// `net.core.rmem_default`, 208 KB here). A bot receiving 9 videos takes ~1,000 packets/s, and
// a keyframe burst from 9 publishers at once is hundreds: with the default, any 100 ms pause
// of its process's event loop (GC, another bot's burst) overflowed the socket. Measured: 9
// publishers + 1 subscriber lost ~60 % of their packets, the kernel's UDP `RcvbufErrors`
// (/proc/net/snmp) grew by ~33,000 in the run, and mediasoup's producers lost none.
//
// werift's ES module build imports `createSocket` from "dgram": replacing the builtin's export
// and syncing its ES bindings (`syncBuiltinESMExports`) reaches every socket werift opens in
// this process. Importing this module is what applies it (botGroup.ts does, so every process
// that runs bots has it).

import { createRequire, syncBuiltinESMExports } from 'node:module';

/** Bytes; the kernel caps it at `net.core.rmem_max` (4 MB on Debian 12's default). */
export const BOT_SOCKET_RECV_BUFFER = 4 * 1024 * 1024;

const dgram = createRequire(import.meta.url)('node:dgram') as typeof import('node:dgram');
const createSocket = dgram.createSocket;

function withBuffer(...args: Parameters<typeof createSocket>): ReturnType<typeof createSocket> {
  const socket = createSocket(...args);
  socket.once('listening', () => socket.setRecvBufferSize(BOT_SOCKET_RECV_BUFFER));
  return socket;
}

if (!(createSocket as { botBuffer?: true }).botBuffer) {
  dgram.createSocket = Object.assign(withBuffer as typeof createSocket, {
    botBuffer: true as const,
  });
  syncBuiltinESMExports();
}
