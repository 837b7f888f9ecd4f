import { mintTurnCredential } from './credentials.ts';

export interface IceServerEntry {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface IceConfig {
  stunUrls: string[];
  turn?: { urls: string[]; secret: string; ttlS: number } | undefined;
}

/**
 * The `iceServers` a peer is given: STUN as configured, plus TURN with a credential minted for
 * that peer alone. The shared secret stays on the server; only the HMAC leaves it.
 */
export function iceServersFor(config: IceConfig, user: string, nowS?: number): IceServerEntry[] {
  const servers: IceServerEntry[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls });
  if (config.turn) {
    const { username, credential } = mintTurnCredential({
      secret: config.turn.secret,
      user,
      ttlS: config.turn.ttlS,
      ...(nowS === undefined ? {} : { nowS }),
    });
    servers.push({ urls: config.turn.urls, username, credential });
  }
  return servers;
}
