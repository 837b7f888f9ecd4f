// Local UDP receivers that count what arrives, per sending port (each plain consumer sends
// from its own transport's port, so per-port counts are per-consumer counts).

import dgram from 'node:dgram';

export interface UdpSink {
  port: number;
  packets: number;
  bytes: number;
  senders: Map<number, number>;
  close(): Promise<void>;
}

export async function openUdpSink(): Promise<UdpSink> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
  const sink: UdpSink = {
    port: 0,
    packets: 0,
    bytes: 0,
    senders: new Map(),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg, rinfo) => {
    sink.packets += 1;
    sink.bytes += msg.length;
    sink.senders.set(rinfo.port, (sink.senders.get(rinfo.port) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sink.port = socket.address().port;
  return sink;
}
