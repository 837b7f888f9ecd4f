// Who may read `/metrics` (issue 14). The series tell rooms' load, peer counts and the
// server's internals: nothing a stranger on the internet should scrape. Default: served only
// when the main listener is a loopback address; METRICS_TOKEN opens it to bearers of the
// token; METRICS_LISTEN moves it to its own listener (and off the main one).

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CODES } from '@parley/protocol';
import type { MetricsConfig } from '../config/index.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { apiError } from './httpUtil.ts';

/** What one request to `/metrics` gets. */
export type MetricsVerdict = 'serve' | 'unauthorized' | 'off';

/** 127.0.0.0/8, ::1 and `localhost`: a listener only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string, expected: string): boolean {
  // Hashes are of equal length whatever was sent, so the comparison leaks nothing by timing.
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * The rule for one listener. The main one (`separate` false) is off when METRICS_LISTEN is
 * set; otherwise the token decides when there is one, and the listen address when there is
 * none. The separate listener serves everyone who reaches it, unless a token is set too.
 */
export function metricsGate(
  config: MetricsConfig,
  listenerHost: string,
  separate: boolean,
): (req: IncomingMessage) => MetricsVerdict {
  const { token } = config;
  if (!separate && config.listen) return () => 'off';
  if (token) {
    return (req) => {
      const given = bearerOf(req);
      return given !== undefined && sameToken(given, token) ? 'serve' : 'unauthorized';
    };
  }
  const open = separate || isLoopbackHost(listenerHost);
  return () => (open ? 'serve' : 'off');
}

/** Answers `/metrics` by the gate's verdict: the text, a 401 asking for the bearer, or 404. */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  gate: (req: IncomingMessage) => MetricsVerdict,
): Promise<void> {
  const verdict = gate(req);
  if (verdict === 'off') return apiError(res, 404, 'NOT_FOUND', 'not found');
  if (verdict === 'unauthorized') {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="metrics"' };
    return apiError(res, 401, ERROR_CODES.UNAUTHORIZED, 'metrics need a bearer token', challenge);
  }
  const text = await metrics.text();
  res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  res.end(text);
}

/** METRICS_LISTEN: a listener that answers `/metrics` and nothing else. */
export async function startMetricsListener(
  config: MetricsConfig,
  metrics: Metrics,
  onError: (error: unknown) => void,
): Promise<{ server: Server; url: string } | undefined> {
  const { listen } = config;
  if (!listen) return undefined;
  const gate = metricsGate(config, listen.host, true);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') return apiError(res, 404, 'NOT_FOUND', 'not found');
    serveMetrics(req, res, metrics, gate).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) apiError(res, 500, 'INTERNAL', 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return { server, url: `http://${host}:${port}` };
}
