/**
 * Who someone is across joins. `guestId` is issued by the server (a signed cookie,
 * auth/guestIdentity.ts) and `userId` is the signed-in account: a client can choose neither.
 * `deviceId` is the client's own pick, kept only as an extra key (it can only add to a ban).
 */
export interface Identity {
  guestId?: string | undefined;
  /** When the server issued `guestId` (ms since the epoch). */
  guestSince?: number | undefined;
  deviceId?: string | undefined;
  userId?: string | undefined;
  /** A keyed hash of the client's address (never the address): where a join came from. */
  network?: string | undefined;
}

/** The keys bans and co-host marks are kept under: `g:<guestId>`, `d:<deviceId>`, `u:<userId>`. */
export function identityKeys(identity: Identity): string[] {
  const out: string[] = [];
  if (identity.guestId) out.push(`g:${identity.guestId}`);
  if (identity.deviceId) out.push(`d:${identity.deviceId}`);
  if (identity.userId) out.push(`u:${identity.userId}`);
  return out;
}

/**
 * The one key a person's own state is kept under (a raised hand): the account, else the guest
 * id the server issued; never the device id a client picks. A socket with neither (a client
 * without the cookie) is only its own peer.
 */
export function personKey(identity: Identity, peerId: string): string {
  if (identity.userId) return `u:${identity.userId}`;
  if (identity.guestId) return `g:${identity.guestId}`;
  return `p:${peerId}`;
}

/** The identity stored keys stand for (the first of each kind). */
export function identityOf(keys: readonly string[]): Identity {
  const find = (prefix: string) => keys.find((k) => k.startsWith(prefix))?.slice(prefix.length);
  return { guestId: find('g:'), deviceId: find('d:'), userId: find('u:') };
}

/**
 * The mark a removal leaves on the network it came from, `n:<network>:<ms>`: stored with the
 * bans, never matched by `identityKeys` (an address is shared by a household or an office, so
 * it refuses nobody; it only holds newcomers from there in the waiting room, see Door).
 */
export function networkMark(network: string, at: number): string {
  return `n:${network}:${at.toString(36)}`;
}

/** The network and time of a `networkMark`; undefined for any other key. */
export function parseNetworkMark(key: string): { network: string; at: number } | undefined {
  const match = /^n:([A-Za-z0-9_-]+):([0-9a-z]+)$/.exec(key);
  if (!match) return undefined;
  const [, network = '', at = ''] = match;
  return { network, at: parseInt(at, 36) };
}
