import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RoomIdSchema } from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import type { Log } from '../telemetry/log.ts';
import { background } from '../util/background.ts';
import { NODE_LEASE_MS } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { FORWARDED_BY, forwardRequest, forwardUpgrade, refuseUpgrade } from './forward.ts';

/**
 * How long an upgrade for a room whose owner does not answer is held, routing again: past the
 * owner's lease (then placement moves the room), with room for a slow claim.
 */
const OWNER_GONE_WAIT_MS = 2 * NODE_LEASE_MS;
const OWNER_RETRY_MS = 250;

/** The room a WebSocket upgrade is for: `/ws?room=<id>` (clients always say it). */
export function roomOfUpgrade(req: IncomingMessage): RoomId | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const id = RoomIdSchema.safeParse(url.searchParams.get('room'));
  return id.success ? id.data : undefined;
}

/**
 * The room an HTTP request is about, for the routes whose answer lives on its owner: room
 * status by room id; a broadcast's status, viewer check-ins and HLS files by broadcast id,
 * which `roomOfBroadcast` turns into the room's (every node can: see auth/broadcastIds.ts).
 */
export function roomOfRequest(
  req: IncomingMessage,
  roomOfBroadcast: (broadcastId: string) => RoomId | undefined,
): RoomId | undefined {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const room = /^\/api\/rooms\/([^/]+)$/.exec(path);
  if (room) {
    const id = RoomIdSchema.safeParse(room[1]);
    return id.success ? id.data : undefined;
  }
  const broadcast =
    /^\/api\/broadcasts\/([^/]+)(?:\/viewers)?$/.exec(path) ?? /^\/hls\/([^/]+)\//.exec(path);
  return broadcast?.[1] ? roomOfBroadcast(broadcast[1]) : undefined;
}

/**
 * The recording a request downloads or deletes (`/api/recordings/<id>/mp4|m4a`, `DELETE
 * /api/recordings/<id>`): its files are on the disk of the node that recorded it.
 */
export function recordingOfRequest(req: IncomingMessage): string | undefined {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const file = /^\/api\/recordings\/([A-Za-z0-9_-]{1,64})\/(?:mp4|m4a)$/.exec(path);
  if (file) return file[1];
  const one = /^\/api\/recordings\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  return one && req.method === 'DELETE' ? one[1] : undefined;
}

function isRoomStatus(req: IncomingMessage): boolean {
  return /^\/api\/rooms\/[^/]+$/.test(new URL(req.url ?? '/', 'http://localhost').pathname);
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
    /** The room behind a broadcast id (HLS and viewer requests name the broadcast). */
    private readonly roomOfBroadcast: (broadcastId: string) => RoomId | undefined,
    /** The node whose disk holds a recording's files (the shared list says). */
    private readonly nodeOfRecording: (
      id: string,
    ) => Promise<string | null | undefined> = async () => undefined,
  ) {}

  /**
   * Handles the upgrade here (`local`) or passes it to the owner; refuses when unplaceable.
   *
   * An owner that does not answer has most likely just died (issue 13, failure 1): its lease
   * ends within NODE_LEASE_MS and the next `route` gives the room to a live node. Until then
   * the client's handshake is held and the room routed again every OWNER_RETRY_MS, rather than
   * answered 502, which would send the client into its backoff (up to 8 s) and delay the
   * room's return by seconds after it could have been served.
   */
  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    local: () => void,
  ): Promise<void> {
    const roomId = roomOfUpgrade(req);
    if (!roomId) return local(); // the join itself is checked against placement
    const giveUp = Date.now() + OWNER_GONE_WAIT_MS;
    const attempt = async (): Promise<void> => {
      if (socket.destroyed) return; // the client gave up meanwhile
      let route;
      try {
        route = await this.cluster.route(roomId);
      } catch (error) {
        this.log.warn('room not placed', { roomId, error: String(error) });
        return refuseUpgrade(socket, 503, 'Service Unavailable');
      }
      if (socket.destroyed) return;
      if (route.local) return local();
      if (req.headers[FORWARDED_BY]) return refuseUpgrade(socket, 503, 'Service Unavailable');
      const owner = route.node;
      forwardUpgrade(req, socket, head, owner.url, this.cluster.nodeId, () => {
        if (Date.now() > giveUp) return refuseUpgrade(socket, 502, 'Bad Gateway');
        this.log.info('room owner unreachable: routing again', { roomId, owner: owner.id });
        setTimeout(
          () => background(attempt(), 'routing an upgrade again', this.log),
          OWNER_RETRY_MS,
        );
      });
    };
    await attempt();
  }

  /**
   * Passes a request about a room held elsewhere to its owner; true when it did. A room
   * nobody holds is answered here (from the database: nobody is in it). So is a room status
   * whose owner does not answer: it has most likely died and its lease not yet ended, and the
   * room is then held by no one (`node: null`), the same answer every node gives once the
   * lease ends, rather than a 502. `local` answers here.
   */
  async request(req: IncomingMessage, res: ServerResponse, local: () => void): Promise<boolean> {
    if (req.headers[FORWARDED_BY]) return false;
    const recordingId = recordingOfRequest(req);
    if (recordingId) return this.#toRecordingNode(req, res, recordingId);
    const roomId = roomOfRequest(req, this.roomOfBroadcast);
    if (!roomId) return false;
    const owner = await this.cluster.ownerOf(roomId);
    if (!owner || owner.id === this.cluster.nodeId) return false;
    const isStatus = req.method === 'GET' && isRoomStatus(req);
    forwardRequest(req, res, owner.url, this.cluster.nodeId, isStatus ? local : undefined);
    return true;
  }

  /** A recording's file (or its deletion) goes to the node that has it (issue 18). */
  async #toRecordingNode(req: IncomingMessage, res: ServerResponse, id: string) {
    const node = await this.nodeOfRecording(id);
    if (!node || node === this.cluster.nodeId) return false;
    const holder = await this.cluster.node(node);
    if (!holder) return false; // gone: answered here (its files went with it)
    forwardRequest(req, res, holder.url, this.cluster.nodeId);
    return true;
  }
}
