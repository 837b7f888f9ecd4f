import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ERROR_CODES,
  PushSubscriptionRequestSchema,
  PushUnsubscribeRequestSchema,
} from '@parley/protocol';
import type { PushKeyResponse, PushSubscribedResponse } from '@parley/protocol';
import type { Auth } from '../auth/index.ts';
import { endpointError, isP256Point } from '../push/subscriptionCheck.ts';
import type { PushSubscriptionStore } from '../store/index.ts';
import { apiError, json, methodNotAllowed, readJsonBody } from './httpUtil.ts';

export interface PushRouteDeps {
  auth: Pick<Auth, 'routes'>;
  push: {
    store: PushSubscriptionStore;
    /** The VAPID public key (base64url) browsers subscribe with. */
    publicKey: string;
    /** PUSH_HTTP_LOOPBACK: plain http endpoints on loopback are accepted (tests). */
    httpLoopback: boolean;
    /** PUSH_SERVICES: the push services endpoints may be at. */
    services: readonly string[];
    /** PUSH_MAX_DEVICES: an account's devices; a new one beyond drops the oldest. */
    maxDevices: number;
    now: () => number;
  };
}

const HINT =
  'body: a PushSubscription ({endpoint, keys: {p256dh, auth}}), as PushSubscription.toJSON() gives it';

/**
 * Web Push devices over HTTP (issue 21). True when the path was one of these.
 *
 * - `GET /api/push/key`: `PushKeyResponse`, public (the page needs it to subscribe).
 * - `POST /api/push/subscriptions` (signed in): registers this device for the account's
 *   reminders; 201 `PushSubscribedResponse`; 400 BAD_MESSAGE naming what is wrong.
 * - `DELETE /api/push/subscriptions` `{endpoint}` (signed in): 204; 404 when the account has no
 *   such device (already dropped, or never its own).
 */
export async function handlePushRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PushRouteDeps,
  path: string,
): Promise<boolean> {
  if (path === '/api/push/key') {
    if (req.method !== 'GET') methodNotAllowed(res, 'GET');
    else json(res, 200, { publicKey: deps.push.publicKey } satisfies PushKeyResponse);
    return true;
  }
  if (path !== '/api/push/subscriptions') return false;
  if (req.method === 'POST') await subscribe(req, res, deps);
  else if (req.method === 'DELETE') await unsubscribe(req, res, deps);
  else methodNotAllowed(res, 'POST, DELETE');
  return true;
}

async function subscribe(req: IncomingMessage, res: ServerResponse, deps: PushRouteDeps) {
  const { id } = await deps.auth.routes.requireUser(req);
  const body = await readJsonBody(req, res, PushSubscriptionRequestSchema, HINT, {
    jsonOnly: true,
  });
  if (!body) return;
  const { store, httpLoopback, services, maxDevices, now } = deps.push;
  const refused = endpointError(body.endpoint, httpLoopback, services);
  if (refused) return apiError(res, 400, ERROR_CODES.BAD_MESSAGE, refused);
  if (!isP256Point(body.keys.p256dh)) {
    return apiError(res, 400, ERROR_CODES.BAD_MESSAGE, 'keys.p256dh is not a P-256 public key');
  }
  const { endpoint, keys } = body;
  const record = { endpoint, userId: id, p256dh: keys.p256dh, auth: keys.auth, createdAt: now() };
  const devices = await store.put(record, maxDevices);
  json(res, 201, { devices, maxDevices } satisfies PushSubscribedResponse);
}

async function unsubscribe(req: IncomingMessage, res: ServerResponse, deps: PushRouteDeps) {
  const { id } = await deps.auth.routes.requireUser(req);
  const hint = 'body: {endpoint}, the device to stop reminding';
  const body = await readJsonBody(req, res, PushUnsubscribeRequestSchema, hint, {
    jsonOnly: true,
  });
  if (!body) return;
  if (await deps.push.store.remove(id, body.endpoint)) res.writeHead(204).end();
  else apiError(res, 404, 'NOT_FOUND', 'this account has no such device');
}
