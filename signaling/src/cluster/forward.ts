import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Marks a request one node passed to another. The owner never passes such a request on
 * again (ownership changed under it): it answers 503 and the client retries, so a request
 * can never loop between nodes.
 */
export const FORWARDED_BY = 'x-parley-forwarded-by';

function forwardedHeaders(req: IncomingMessage, via: string): IncomingHttpHeaders {
  const remote = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  return {
    ...req.headers,
    'x-forwarded-for': prior ? `${String(prior)}, ${remote}` : remote,
    [FORWARDED_BY]: via,
  };
}

/** Answers a raw upgrade socket with a plain HTTP status and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Passes a WebSocket upgrade to the room's owner and splices the two TCP streams: the
 * client's signaling reaches the owner through this node (one hop, signaling only; media
 * goes straight to the owner's SFU). Either side closing closes both. When the owner cannot
 * be reached at all (refused, reset: it may have just died), `unreachable` decides what the
 * client gets; by default a 502.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: string,
  via: string,
  unreachable: () => void = () => refuseUpgrade(socket, 502, 'Bad Gateway'),
): void {
  const url = new URL(req.url ?? '/', target);
  const upstream = request(url, { method: 'GET', headers: forwardedHeaders(req, via) });
  let answered = false;
  upstream.on('upgrade', (res, proxied, proxiedHead) => {
    answered = true;
    const lines = [`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (proxiedHead.length > 0) socket.write(proxiedHead);
    if (head.length > 0) proxied.write(head);
    const closeBoth = (): void => {
      socket.destroy();
      proxied.destroy();
    };
    proxied.on('error', closeBoth).on('close', closeBoth);
    socket.on('error', closeBoth).on('close', closeBoth);
    proxied.pipe(socket).pipe(proxied);
  });
  upstream.on('response', (res) => {
    answered = true;
    // The owner refused the upgrade (403 origin, 503 ...): pass its answer on as it is.
    socket.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nConnection: close\r\n\r\n`);
    res.resume();
    socket.end();
  });
  upstream.on('error', () => {
    if (!answered && !socket.destroyed) unreachable();
  });
  socket.on('error', () => upstream.destroy());
  upstream.end();
}

/**
 * Passes an HTTP request (room status, viewer check-in, HLS files) to the room's owner. When
 * the owner cannot be reached, `unreachable` answers; by default a 502 with Retry-After.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  via: string,
  unreachable: () => void = () => ownerUnreachable(res),
): void {
  const url = new URL(req.url ?? '/', target);
  const upstream = request(url, { method: req.method, headers: forwardedHeaders(req, via) });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (res.headersSent) res.destroy();
    else unreachable();
  });
  req.pipe(upstream);
}

function ownerUnreachable(res: ServerResponse): void {
  res.writeHead(502, { 'Content-Type': 'application/json', 'Retry-After': '1' });
  res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'room owner unreachable' } }));
}
