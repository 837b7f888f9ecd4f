import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;

/**
 * Sends one STUN Binding request over UDP (RFC 8489, 6) and resolves true when a Binding
 * success response with the same transaction id comes back within `timeoutMs`: the TURN
 * server is up and answering, whatever it would say to an allocation.
 */
export function stunBinding(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  const transactionId = randomBytes(12);
  const request = Buffer.alloc(20);
  request.writeUInt16BE(BINDING_REQUEST, 0);
  request.writeUInt16BE(0, 2); // no attributes
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(request, 8);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<boolean>((resolve) => {
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (reply) => {
      if (
        reply.length >= 20 &&
        reply.readUInt16BE(0) === BINDING_SUCCESS &&
        reply.readUInt32BE(4) === MAGIC_COOKIE &&
        reply.subarray(8, 20).equals(transactionId)
      ) {
        done(true);
      }
    });
    socket.send(request, port, host);
  });
}
