import type {
  Device,
  DtlsParameters,
  IceCandidate,
  IceParameters,
  SctpParameters,
  Transport,
} from 'mediasoup-client/types';
import type { SfuTransport } from '@parley/protocol';

/**
 * The Device's side of a transport the server opened (`sfu-transport-created`, or a joiner's
 * in `joined`), with our ICE configuration. The caller wires its events: a meeting and a team
 * answer `connect` and `produce` differently.
 */
export function createTransport(
  device: Device,
  reply: SfuTransport,
  ice: RTCConfiguration,
  extra: { sctpParameters?: SctpParameters } = {},
): Transport {
  const opts = {
    ...extra,
    id: reply.id,
    // mediasoup's own structures, produced by the server's mediasoup: passed through as is.
    iceParameters: reply.iceParameters as unknown as IceParameters,
    iceCandidates: reply.iceCandidates as unknown as IceCandidate[],
    dtlsParameters: reply.dtlsParameters as unknown as DtlsParameters,
    ...ice,
  };
  return reply.direction === 'send'
    ? device.createSendTransport(opts)
    : device.createRecvTransport(opts);
}

/** mediasoup-client's DTLS parameters, in the protocol's (stricter) shape. */
export function dtlsOf(p: DtlsParameters) {
  return {
    ...(p.role ? { role: p.role } : {}),
    fingerprints: p.fingerprints.map((f) => ({ algorithm: f.algorithm, value: f.value })),
  };
}
