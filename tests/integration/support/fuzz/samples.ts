import { PROTOCOL_VERSION } from '@parley/protocol';
import type {
  ClientMessageId,
  ClientMessageOf,
  ClientMessageType,
  PeerId,
  RoomId,
} from '@parley/protocol';

/** Real ids of the fuzzed server, so valid samples reach the handlers and not just the parser. */
export interface SampleContext {
  roomIds: readonly RoomId[];
  peerIds: readonly PeerId[];
  /** A number in [0, 1) from the fuzz's seeded source: picks ids and variants. */
  pick: number;
}

const at = <T>(xs: readonly T[], pick: number): T => xs[Math.floor(pick * xs.length)] as T;
const media = { audio: true, video: false };
const dtls = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };

/**
 * One valid message of every client type. The mapped type makes this exhaustive: a message
 * type added to the protocol without a sample here is a compile error, so the fuzz always
 * covers the whole protocol.
 */
export const SAMPLES: {
  [K in ClientMessageType]: (ctx: SampleContext) => ClientMessageOf<K>;
} = {
  hello: () => ({ type: 'hello', version: PROTOCOL_VERSION }),
  join: (c) => {
    // Four independent bits of `pick` choose the optional fields; the room is picked apart.
    const bits = Math.floor(c.pick * 16);
    return {
      type: 'join',
      roomId: at(c.roomIds, (c.pick * 7) % 1),
      name: 'Fuzz Ünïcødé 🦊',
      media,
      ...(bits & 1 ? { hostKey: 'k'.repeat(43) } : {}),
      ...(bits & 2 ? { password: 'not the password' } : {}),
      ...(bits & 4 ? { accessToken: 'eyJhbGciOiJub25lIn0.e30.' } : {}),
      ...(bits & 8 ? { deviceId: 'device-0123456789abcdef' } : {}),
    };
  },
  resume: (c) => ({
    type: 'resume',
    roomId: at(c.roomIds, c.pick),
    peerId: at(c.peerIds, c.pick),
    resumeToken: 'r'.repeat(22),
    lastSeq: 0,
  }),
  'ice-refresh': () => ({ type: 'ice-refresh' }),
  leave: () => ({ type: 'leave' }),
  signal: (c) => ({
    type: 'signal',
    to: at(c.peerIds, c.pick),
    data: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
  }),
  chat: (c) => ({
    type: 'chat',
    clientId: `fuzz-${Math.floor(c.pick * 1e9)}` as ClientMessageId,
    text: 'hello from the fuzzer',
  }),
  'chat-sync': () => ({ type: 'chat-sync', since: 0 }),
  media: (c) => ({ type: 'media', media: { audio: c.pick > 0.5, video: true, screen: false } }),
  settings: (c) => ({
    type: 'settings',
    settings:
      c.pick < 0.5 ? { screenShare: true, chat: true } : { locked: false, password: 'hunter22' },
  }),
  broadcast: (c) => ({ type: 'broadcast', live: c.pick > 0.5 }),
  admit: (c) => ({ type: 'admit', peerId: at(c.peerIds, c.pick) }),
  'admit-all': () => ({ type: 'admit-all' }),
  deny: (c) => ({ type: 'deny', peerId: at(c.peerIds, c.pick) }),
  mute: (c) => ({ type: 'mute', peerId: at(c.peerIds, c.pick), kind: 'audio' }),
  remove: (c) => ({ type: 'remove', peerId: at(c.peerIds, c.pick) }),
  'set-role': (c) => ({ type: 'set-role', peerId: at(c.peerIds, c.pick), role: 'cohost' }),
  end: () => ({ type: 'end' }),
  ping: () => ({ type: 'ping' }),
  'sfu-transport': () => ({ type: 'sfu-transport', direction: 'send' }),
  'sfu-connect': () => ({ type: 'sfu-connect', transportId: 't-1', dtlsParameters: dtls }),
  'sfu-produce': () => ({
    type: 'sfu-produce',
    transportId: 't-1',
    kind: 'audio',
    rtpParameters: { codecs: [], encodings: [{ ssrc: 1111 }] },
    source: 'mic',
  }),
  'sfu-close-producer': () => ({ type: 'sfu-close-producer', producerId: 'p-1' }),
  'sfu-consume': () => ({
    type: 'sfu-consume',
    producerId: 'p-1',
    rtpCapabilities: { codecs: [], headerExtensions: [] },
  }),
  'sfu-consumer-pause': () => ({ type: 'sfu-consumer-pause', consumerId: 'c-1', paused: true }),
  'sfu-layers': () => ({ type: 'sfu-layers', consumerId: 'c-1', spatialLayer: 2 }),
  'sfu-restart-ice': () => ({ type: 'sfu-restart-ice', transportId: 't-1' }),
};

export const MESSAGE_TYPES = Object.keys(SAMPLES) as ClientMessageType[];
