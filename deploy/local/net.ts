import { get } from 'node:http';
import { connect } from 'node:net';

export { freeTcpUdpPort as freePort } from '@parley/turn';

/**
 * Sends `request` to 127.0.0.1:`port` and resolves with everything received until `done`
 * accepts it or the peer closes. For one-line protocol probes (Redis PING).
 */
export function exchange(
  port: number,
  request: string,
  done: (received: string) => boolean,
  timeoutMs = 2_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer on port ${port}`)));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (done(received)) socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(received));
  });
}

/**
 * GET http://127.0.0.1:`port``path` on a connection of its own (no keep-alive), so every
 * call goes through the load balancer's choice again. Status and body.
 */
export function httpGet(
  port: number,
  path: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs });
    request.once('timeout', () => request.destroy(new Error(`GET ${path}: no answer`)));
    request.once('error', reject);
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('error', reject);
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
  });
}
