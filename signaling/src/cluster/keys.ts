/**
 * Every key Parley keeps in Redis. Each one either expires by itself (a lease) or is a sorted
 * set whose members are pruned when their node's lease is gone, so a dead node leaves nothing.
 */
export const KEYS = {
  /** JSON {@link NodeRecord}, with a lease (PX) the node keeps renewing. */
  node: (id: string) => `parley:node:${id}`,
  /** Sorted set: node id -> when its lease ends (ms); listing prunes the expired. */
  nodes: 'parley:nodes',
  /** Sorted set: node id -> how many rooms it holds (changed atomically with each claim). */
  roomCounts: 'parley:room-counts',
  /** The id of the node that holds the room, with a lease (PX) its owner keeps renewing. */
  room: (id: string) => `parley:room:${id}`,
  /**
   * When this Redis started serving the cluster (ms). A fresh or restarted Redis has none:
   * the first node to see that writes it, and for a short grace after it nobody claims a room
   * it does not already serve, so owners re-claim their running rooms first.
   */
  epoch: 'parley:epoch',
} as const;
