// Test helpers: RTP parameters a browser would send, built from a router's capabilities, and
// a hook that collects the mediasoup consumers an Sfu creates (to check pause and layers).

import type { types } from 'mediasoup';
import type { SfuErrorCode } from './api.ts';
import { SfuError } from './errors.ts';

type Caps = Record<string, unknown>;

function payloadType(caps: Caps, mimeType: string): number {
  const codecs = (caps as types.RtpCapabilities).codecs ?? [];
  const codec = codecs.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (codec?.preferredPayloadType === undefined) throw new Error(`router lacks ${mimeType}`);
  return codec.preferredPayloadType;
}

/** 3-layer VP8 simulcast (one ssrc per layer, 3 temporal layers), as Chromium sends it. */
export function vp8SimulcastParameters(caps: Caps, mid: string, ssrc: number): Caps {
  const parameters: types.RtpParameters = {
    mid,
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: payloadType(caps, 'video/VP8'),
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
    ],
    headerExtensions: [],
    encodings: [0, 1, 2].map((i) => ({ ssrc: ssrc + i, scalabilityMode: 'L1T3' })),
    rtcp: { cname: `cname-${mid}` },
  };
  return parameters;
}

export function opusParameters(caps: Caps, mid: string, ssrc: number): Caps {
  const parameters: types.RtpParameters = {
    mid,
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: payloadType(caps, 'audio/opus'),
        clockRate: 48000,
        channels: 2,
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${mid}` },
  };
  return parameters;
}

/** Capabilities of a client that can decode Opus only (no video codec at all). */
export function audioOnlyCapabilities(caps: Caps): Caps {
  const { codecs = [], headerExtensions = [] } = caps as types.RtpCapabilities;
  return { codecs: codecs.filter((c) => c.kind === 'audio'), headerExtensions };
}

/** Every consumer mediasoup creates in this process, by id (via mediasoup's observer API). */
export function collectConsumers(
  mediasoup: typeof import('mediasoup'),
): Map<string, types.Consumer> {
  const consumers = new Map<string, types.Consumer>();
  mediasoup.observer.on('newworker', (worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (transport) =>
        transport.observer.on('newconsumer', (consumer) => consumers.set(consumer.id, consumer)),
      ),
    ),
  );
  return consumers;
}

/** A log that keeps lines for assertions instead of printing them. */
export function memoryLog(): {
  lines: string[];
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
} {
  const lines: string[] = [];
  const push = (msg: string): void => {
    lines.push(msg);
  };
  return { lines, info: push, warn: push, error: push };
}

/**
 * The code of the SfuError a call throws (or its promise rejects with), undefined if it
 * succeeds. Anything else it throws is rethrown: a test expecting a refusal must not pass on a
 * crash.
 */
export async function sfuErrorCode(
  call: Promise<unknown> | (() => unknown),
): Promise<SfuErrorCode | undefined> {
  try {
    await (typeof call === 'function' ? call() : call);
    return undefined;
  } catch (error) {
    if (error instanceof SfuError) return error.code;
    throw error;
  }
}
