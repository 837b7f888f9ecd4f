import { Device } from 'mediasoup-client';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { SfuCapabilitiesResponse, SfuReceive } from '@parley/protocol';
import { log } from '../../../log.ts';

/**
 * Loaded mediasoup Devices by the router capabilities they were loaded with. Every router of a
 * server has the same ones (one codec list), so in practice there is one, shared by every SFU
 * session of the page: a Device only describes what the browser and the router can do.
 */
const devices = new Map<string, Promise<Device>>();

/**
 * A Device loaded for these router capabilities. Loading opens a throw-away
 * RTCPeerConnection to read the browser's codecs (~140 ms on a busy phone-class CPU), so it is
 * done once, ideally before Join (see preloadSfuDevice).
 */
export function loadSfuDevice(routerRtpCapabilities: Record<string, unknown>): Promise<Device> {
  const key = JSON.stringify(routerRtpCapabilities);
  const known = devices.get(key);
  if (known) return known;
  const loading = (async () => {
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({
      routerRtpCapabilities: routerRtpCapabilities as unknown as RtpCapabilities,
    });
    return device;
  })();
  devices.set(key, loading);
  // A failed load is not remembered: the next session tries again.
  loading.catch(() => devices.delete(key));
  return loading;
}

let preloading: Promise<void> | undefined;
/** The Device preloadSfuDevice loaded, once it has. */
let preloaded: Device | undefined;

/** The Device preloadSfuDevice loaded; undefined before (or when the server has no SFU). */
export function preloadedSfuDevice(): Device | undefined {
  return preloaded;
}

/**
 * What `join` says we can receive from the SFU, once the Device is preloaded (undefined before:
 * the join does not wait for it, and consumes the usual way). `videos`: how many videos to
 * start running, the tiles the first page of the grid shows.
 */
export function sfuReceive(videos: number, warm?: string): SfuReceive | undefined {
  if (!preloaded) return undefined;
  const rtpCapabilities = preloaded.recvRtpCapabilities as unknown as Record<string, unknown>;
  return { rtpCapabilities, videos, ...(warm ? { warm } : {}) };
}

/**
 * On the pre-join screen: fetch the server's router capabilities and load the Device, so that
 * joining a room that is on the SFU (or a switch to it) starts with its first request. Quiet
 * when the server has no SFU (204) or the network fails: the session loads it later.
 */
export function preloadSfuDevice(): Promise<void> {
  preloading ??= (async () => {
    try {
      const res = await fetch('/api/sfu/capabilities');
      if (res.status !== 200) return;
      const body = (await res.json()) as Partial<SfuCapabilitiesResponse>;
      if (body.routerRtpCapabilities) preloaded = await loadSfuDevice(body.routerRtpCapabilities);
    } catch (err) {
      log.warn('sfu: could not load the media device ahead of joining', err);
    }
  })();
  return preloading;
}
