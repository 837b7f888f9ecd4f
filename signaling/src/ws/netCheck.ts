import { randomUUID } from 'node:crypto';
import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { ConnectionDeps } from './types.ts';

/**
 * One socket's pre-join connection checks (issue 20, `net-check`): the ICE servers the
 * browser tests TURN with before it is in any meeting. Such a socket has proven nothing yet,
 * so its TURN credential is short-lived (LIMITS.NET_CHECK_TURN_TTL_S) and it gets at most
 * LIMITS.NET_CHECKS_PER_SOCKET of them (then `LIMIT_REACHED`).
 */
export class SocketNetCheck {
  /** The TURN username's user part: one per socket, never a peer id. */
  readonly #user = `check-${randomUUID()}`;
  #count = 0;

  constructor(private readonly iceServersFor: ConnectionDeps['iceServersFor']) {}

  servers(): ServerMessageOf<'ice-servers'> {
    if (this.#count >= LIMITS.NET_CHECKS_PER_SOCKET) {
      throw new ProtocolError(
        ERROR_CODES.LIMIT_REACHED,
        `at most ${LIMITS.NET_CHECKS_PER_SOCKET} connection checks per connection`,
      );
    }
    this.#count += 1;
    const iceServers = this.iceServersFor(this.#user, LIMITS.NET_CHECK_TURN_TTL_S);
    return { type: 'ice-servers', iceServers };
  }
}
