import type { IceParameters, Transport } from 'mediasoup-client/types';
import type { RequestChannel } from '../../session/RequestChannel.ts';
import type { SfuIce } from './SfuSession.ts';
import { log } from '../../../log.ts';

/** ICE restarts of one transport before the session is declared failed. */
const MAX_ICE_RESTARTS = 2;
/** How long a restarted transport gets to reach `connected` again. */
const ICE_RESTART_TIMEOUT_MS = 10_000;

/** What the recovery tells the session it works for. */
export interface IceRecoveryHost {
  closed(): boolean;
  /** An ICE restart of a transport is under way (true) or every one is over (false). */
  restarting(active: boolean): void;
  /** The restarts did not bring the transport back: the session is unusable. */
  failed(reason: string): void;
}

/**
 * ICE restarts of an SFU session's transports: fresh TURN credentials (`ice-refresh`), new
 * ICE parameters from the server (`sfu-restart-ice`), `restartIce()`, then wait for
 * `connected`. A few tries per transport; after that the session fails and the connector
 * rebuilds it.
 */
export class IceRecovery {
  /** Transports with a restart in flight: a second `failed` while one runs is ignored. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly rpc: RequestChannel,
    private readonly ice: SfuIce,
    private readonly host: IceRecoveryHost,
  ) {}

  async recover(transport: Transport): Promise<void> {
    if (this.host.closed() || this.inFlight.has(transport.id)) return;
    this.inFlight.add(transport.id);
    this.host.restarting(true);
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.restartOnce(transport);
          return;
        } catch (err) {
          if (attempt >= MAX_ICE_RESTARTS) throw err;
          log.warn(`sfu: ICE restart ${attempt} of ${transport.direction} failed`, err);
        }
      }
    } catch (err) {
      this.host.failed(`${transport.direction} transport: ICE restart failed (${String(err)})`);
    } finally {
      this.inFlight.delete(transport.id);
      if (this.inFlight.size === 0) this.host.restarting(false);
    }
  }

  private async restartOnce(transport: Transport): Promise<void> {
    await this.ice.refresh();
    if (this.host.closed()) return;
    await transport.updateIceServers({ iceServers: this.ice.config().iceServers ?? [] });
    const { iceParameters } = await this.rpc.request({
      type: 'sfu-restart-ice',
      transportId: transport.id,
    });
    await transport.restartIce({ iceParameters: iceParameters as unknown as IceParameters });
    await connectedWithin(transport, ICE_RESTART_TIMEOUT_MS);
  }
}

/** Resolves once the transport is `connected` (at once if it is), rejects after `ms`. */
export function connectedWithin(transport: Transport, ms: number): Promise<void> {
  if (transport.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (state: string) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      transport.off('connectionstatechange', done);
      resolve();
    };
    const timer = setTimeout(() => {
      transport.off('connectionstatechange', done);
      reject(new Error(`not connected within ${ms} ms`));
    }, ms);
    transport.on('connectionstatechange', done);
  });
}
