import { ConfigError, int, list } from './env.ts';
import type { Env } from './env.ts';

/** How browsers reach each other and the SFU: STUN, TURN and the local coturn. */
export interface IceSettings {
  /** STUN/TURN URLs without credentials; TURN ones get per-peer credentials when `turn` is set. */
  stunUrls: string[];
  turn: { urls: string[]; secret: string } | undefined;
  /** Lifetime of a minted TURN credential, seconds. */
  turnTtlS: number;
  /** Browsers use only relayed (TURN) candidates. */
  iceRelayOnly: boolean;
  /** Start a local coturn (embedded default) when `turnserver` is installed. */
  localTurn: boolean;
  turnPort: number;
}

export function iceConfig(env: Env): IceSettings {
  return {
    stunUrls: list(env, 'STUN_URLS'),
    turn: turnConfig(env),
    turnTtlS: int(env, 'TURN_TTL_S', 600, 60),
    localTurn: (env.LOCAL_TURN ?? 'auto') !== 'off',
    iceRelayOnly: env.ICE_RELAY_ONLY === 'on',
    turnPort: int(env, 'TURN_PORT', 3478, 1),
  };
}

function turnConfig(env: Env): IceSettings['turn'] {
  const urls = list(env, 'TURN_URLS');
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && secret === '') return undefined;
  if (urls.length === 0 || secret === '') {
    throw new ConfigError('TURN_URLS and TURN_SECRET must be set together');
  }
  return { urls, secret };
}
