import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RoomIdSchema } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import type { Log } from '../telemetry/log.ts';
import type { Cluster } from './cluster.ts';
import { FORWARDED_BY, forwardRequest, forwardUpgrade, refuseUpgrade } from './forward.ts';

/** The room a WebSocket upgrade is for: `/ws?room=<id>` (clients always say it). */
export function roomOfUpgrade(req: IncomingMessage): RoomId | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const id = RoomIdSchema.safeParse(url.searchParams.get('room'));
  return id.success ? id.data : undefined;
}

/** The room an HTTP request is about, for the routes whose answer lives on its owner. */
export function roomOfRequest(req: IncomingMessage): RoomId | undefined {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const match =
    /^\/api\/rooms\/([^/]+)(?:\/viewers)?$/.exec(path) ?? /^\/hls\/([^/]+)\//.exec(path);
  const id = RoomIdSchema.safeParse(match?.[1]);
  return id.success ? id.data : undefined;
}

/**
 * How a node of a cluster answers what belongs to a room it may not hold. Routing is by
 * forwarding, not redirect (docs/ARCHITECTURE.md says why): a WebSocket for room R is placed
 * (claimed for the least loaded node when nobody holds R) and spliced through to R's owner;
 * room status, viewer check-ins and HLS files are fetched from the owner. Everything else is
 * answered here.
 */
export class ClusterRouting {
  constructor(
    private readonly cluster: Cluster,
    private readonly log: Log,
  ) {}

  /** Handles the upgrade here (`local`) or passes it to the owner; refuses when unplaceable. */
  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    local: () => void,
  ): Promise<void> {
    const roomId = roomOfUpgrade(req);
    if (!roomId) return local(); // the join itself is checked against placement
    let route;
    try {
      route = await this.cluster.route(roomId);
    } catch (error) {
      this.log.warn('room not placed', { roomId, error: String(error) });
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    }
    if (route.local) return local();
    if (req.headers[FORWARDED_BY]) return refuseUpgrade(socket, 503, 'Service Unavailable');
    forwardUpgrade(req, socket, head, route.node.url, this.cluster.nodeId);
  }

  /**
   * Passes a request about a room held elsewhere to its owner; true when it did. A room
   * nobody holds is answered here (from the database: nobody is in it).
   */
  async request(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const roomId = roomOfRequest(req);
    if (!roomId || req.headers[FORWARDED_BY]) return false;
    const owner = await this.cluster.ownerOf(roomId);
    if (!owner || owner.id === this.cluster.nodeId) return false;
    forwardRequest(req, res, owner.url, this.cluster.nodeId);
    return true;
  }
}
