import type { DataConsumer, Device, SctpParameters, Transport } from 'mediasoup-client/types';
import type { RoomId, SfuTransport, SfuWarmTransport } from '@parley/protocol';
import type { RequestChannel } from '../../session/RequestChannel.ts';
import { log } from '../../../log.ts';
import { preloadedSfuDevice, preloadSfuDevice } from './sfuDevice.ts';
import { createTransport, dtlsOf } from './transport.ts';

/**
 * The receive transport opened on the pre-join screen (issue #15). When the room is on the SFU,
 * the server opens one for our socket with a data consumer of an idle channel; consuming that
 * channel makes the browser negotiate, run ICE and finish DTLS while the person still looks at
 * the preview. The join names it (`receive.warm`) once it is connected, the server makes it our
 * receive transport, and the SFU session takes it (takeWarmTransport): our first picture then
 * waits for no ICE and no DTLS. It carries nothing before we are admitted.
 */
interface Warm {
  transport: Transport;
  channel?: DataConsumer;
}

let warm: Warm | undefined;
let opening: Promise<void> | undefined;
/** Warm transports an SFU session took since the page loaded (for the debug hook). */
let taken = 0;

/**
 * Asks for a warm transport in `roomId` and connects it; quiet when there is nothing to warm
 * (the room is on the mesh or does not exist yet) or it fails: the join then goes the usual way.
 */
export function warmUp(
  rpc: RequestChannel,
  roomId: string,
  /** False once the join went out without it: a warm transport made after that is closed. */
  wanted: () => boolean,
): Promise<void> {
  opening ??= open(rpc, roomId, wanted)
    .catch((err: unknown) => {
      log.info('sfu: no warm transport', err);
      dropWarmTransport();
    })
    .finally(() => {
      opening = undefined;
    });
  return opening;
}

async function open(rpc: RequestChannel, roomId: string, wanted: () => boolean): Promise<void> {
  dropWarmTransport();
  await preloadSfuDevice();
  const device = preloadedSfuDevice();
  if (!device || !wanted()) return;
  const reply = await rpc.request({ type: 'sfu-warm', roomId: roomId as RoomId });
  if (!reply.transport || !wanted()) return;
  const transport = openTransport(rpc, device, reply.transport);
  const mine: Warm = { transport };
  warm = mine;
  const c = reply.transport.dataConsumer;
  mine.channel = await transport.consumeData({
    id: c.id,
    dataProducerId: c.dataProducerId,
    sctpStreamParameters: c.sctpStreamParameters as unknown as DataConsumer['sctpStreamParameters'],
    label: c.label,
    protocol: c.protocol,
  });
}

function openTransport(rpc: RequestChannel, device: Device, reply: SfuWarmTransport): Transport {
  const info: SfuTransport = {
    id: reply.id,
    direction: 'recv',
    iceParameters: reply.iceParameters,
    iceCandidates: reply.iceCandidates,
    dtlsParameters: reply.dtlsParameters,
  };
  // No ICE servers: TURN credentials come with admission. A network that needs TURN leaves
  // this transport unconnected, and the join does not name it.
  const sctpParameters = reply.sctpParameters as unknown as SctpParameters;
  const transport = createTransport(device, info, {}, { sctpParameters });
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    rpc
      .request({
        type: 'sfu-warm-connect',
        transportId: transport.id,
        dtlsParameters: dtlsOf(dtlsParameters),
      })
      .then(() => undefined, fail);
    // As in SfuSession: the server has our parameters long before its first DTLS packet.
    done();
  });
  return transport;
}

/** Our warm transport's id, when it is connected: what the join names. */
export function warmTransportId(): string | undefined {
  return warm?.transport.connectionState === 'connected' ? warm.transport.id : undefined;
}

/**
 * The warm transport, for the SFU session, when the server made it our receive transport
 * (`joined.sfu.recvTransport.id`); from then on it is the session's. Otherwise it is closed.
 */
export function takeWarmTransport(id: string): Transport | undefined {
  const held = warm;
  warm = undefined;
  if (held?.transport.id === id && !held.transport.closed) {
    taken += 1;
    return held.transport;
  }
  held?.transport.close();
  return undefined;
}

/** The warm transport's connection state while we hold one, and how many were taken. */
export function warmState(): { state: string | null; taken: number } {
  return { state: warm?.transport.connectionState ?? null, taken };
}

/** Closes the warm transport (the pre-join socket went away, or the join did not take it). */
export function dropWarmTransport(): void {
  warm?.transport.close();
  warm = undefined;
}
