import type { types } from 'mediasoup';

/**
 * Warm transports a room holds at once (sockets on the pre-join screen, see
 * SfuRoom.openWarmTransport); one more is REJECTED and that joiner takes the usual path.
 */
export const MAX_WARM_TRANSPORTS = 16;

/** The label of the idle channel, for anyone reading a dump or the browser's data channels. */
export const IDLE_CHANNEL_LABEL = 'parley-warm';

/**
 * The room's idle channel: a data producer on a DirectTransport that never sends a message.
 * A warm transport consumes it so that the browser has something to negotiate (an SCTP
 * association over DTLS) before its owner may receive any media.
 */
export async function openIdleChannel(router: types.Router): Promise<types.DataProducer> {
  const direct = await router.createDirectTransport();
  try {
    return await direct.produceData({ label: IDLE_CHANNEL_LABEL });
  } catch (error) {
    direct.close();
    throw error;
  }
}
