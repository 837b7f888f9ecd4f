// The SDP a bot's RTCPeerConnection needs to talk to a mediasoup WebRtcTransport, built from
// what the server sends (ICE and DTLS parameters, a consumer's RTP parameters), and the few
// facts read back from the bot's own SDP. The same job mediasoup-client's RemoteSdp does in the
// browser; pure functions, so they are table-tested (sdp.test.ts).

/** mediasoup's transport as `sfu-transport-created` / `joined.sfu.recvTransport` carry it. */
export interface TransportParams {
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: {
    foundation: string;
    priority: number;
    ip: string;
    protocol: string;
    port: number;
  }[];
  dtlsParameters: { fingerprints: { algorithm: string; value: string }[] };
}

export interface RtpCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
  rtcpFeedback?: { type: string; parameter?: string }[];
}

/** mediasoup RtpParameters (the subset an SDP m-line needs). */
export interface RtpParams {
  mid?: string;
  codecs: RtpCodec[];
  headerExtensions?: { uri: string; id: number }[];
  encodings?: {
    ssrc?: number;
    rtx?: { ssrc: number };
    scaleResolutionDownBy?: number;
    maxBitrate?: number;
  }[];
  rtcp?: { cname?: string };
}

/** One m-line of the server's offer to a receiving bot: one consumer. */
export interface ConsumerSection {
  kind: 'audio' | 'video';
  rtpParameters: RtpParams;
}

function sessionLines(t: TransportParams, mids: string[]): string[] {
  const fp =
    t.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
    t.dtlsParameters.fingerprints[0];
  if (!fp) throw new Error('transport has no DTLS fingerprint');
  return [
    'v=0',
    'o=parley-sfu 10000 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:${fp.algorithm} ${fp.value.toUpperCase()}`,
  ];
}

function transportLines(t: TransportParams, setup: 'actpass' | 'passive'): string[] {
  // UDP only: a bot on loopback never needs mediasoup's TCP candidates.
  const candidates = t.iceCandidates
    .filter((c) => c.protocol === 'udp')
    .map((c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.ip} ${c.port} typ host`);
  return [
    'c=IN IP4 127.0.0.1',
    `a=ice-ufrag:${t.iceParameters.usernameFragment}`,
    `a=ice-pwd:${t.iceParameters.password}`,
    ...candidates,
    'a=end-of-candidates',
    `a=setup:${setup}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
}

function fmtp(parameters: Record<string, unknown> | undefined): string {
  return Object.entries(parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
}

function codecLines(codecs: RtpCodec[]): string[] {
  const lines: string[] = [];
  for (const c of codecs) {
    const name = c.mimeType.split('/')[1];
    const channels = c.channels && c.channels > 1 ? `/${c.channels}` : '';
    lines.push(`a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${channels}`);
    const params = fmtp(c.parameters);
    if (params) lines.push(`a=fmtp:${c.payloadType} ${params}`);
    for (const fb of c.rtcpFeedback ?? []) {
      lines.push(`a=rtcp-fb:${c.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`);
    }
  }
  return lines;
}

function mLine(kind: string, codecs: RtpCodec[]): string {
  return `m=${kind} 7 UDP/TLS/RTP/SAVPF ${codecs.map((c) => c.payloadType).join(' ')}`;
}

/**
 * The server's offer for a receive transport: one sendonly m-line per consumer, in the order
 * given (an m-line never moves, so a renegotiation appends). Consumers need `rtpParameters.mid`
 * (mediasoup sets one per consumer).
 */
export function recvOffer(t: TransportParams, consumers: ConsumerSection[]): string {
  const mids = consumers.map((c, i) => c.rtpParameters.mid ?? String(i));
  const lines = sessionLines(t, mids);
  consumers.forEach((c, i) => {
    const p = c.rtpParameters;
    const enc = p.encodings?.[0];
    const cname = p.rtcp?.cname ?? 'parley';
    lines.push(mLine(c.kind, p.codecs), ...transportLines(t, 'actpass'));
    lines.push(`a=mid:${mids[i]}`, 'a=sendonly', ...codecLines(p.codecs));
    for (const e of p.headerExtensions ?? []) lines.push(`a=extmap:${e.id} ${e.uri}`);
    if (enc?.ssrc !== undefined) {
      const stream = `s${mids[i]}`;
      if (enc.rtx) lines.push(`a=ssrc-group:FID ${enc.ssrc} ${enc.rtx.ssrc}`);
      for (const ssrc of [enc.ssrc, enc.rtx?.ssrc].filter((s) => s !== undefined)) {
        lines.push(`a=ssrc:${ssrc} cname:${cname}`, `a=ssrc:${ssrc} msid:${stream} t${mids[i]}`);
      }
      lines.push(`a=msid:${stream} t${mids[i]}`);
    }
  });
  return lines.join('\r\n') + '\r\n';
}

/**
 * The server's answer to a sending bot's offer: each of the offer's m-lines accepted recvonly
 * with the offer's own payload types and header extensions (the bot offers only what the
 * router supports), DTLS passive so the bot is the DTLS client.
 */
export function sendAnswer(t: TransportParams, offer: LocalMedia[]): string {
  const lines = sessionLines(
    t,
    offer.map((m) => m.mid),
  );
  for (const m of offer) {
    lines.push(mLine(m.kind, m.codecs), ...transportLines(t, 'passive'));
    lines.push(`a=mid:${m.mid}`, 'a=recvonly', ...codecLines(m.codecs));
    for (const e of m.headerExtensions) lines.push(`a=extmap:${e.id} ${e.uri}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** One m-line of the bot's own SDP, as mediasoup's `sfu-produce` wants it. */
export interface LocalMedia {
  kind: 'audio' | 'video';
  mid: string;
  codecs: RtpCodec[];
  headerExtensions: { uri: string; id: number }[];
  ssrc: number | undefined;
  cname: string | undefined;
}

/** A simulcast layer as `sfu-produce` describes it (the app's `cameraEncodings` fields). */
export interface LayerEncoding {
  scaleResolutionDownBy: number;
  /** bit/s */
  maxBitrate: number;
}

/**
 * The rtpParameters of `sfu-produce` for `kind`: its first m-line's mid, codecs and
 * extensions, and one encoding per m-line of that kind (one per simulcast layer, lowest
 * first, each its SSRC and the layer's scale and bitrate; see SendPeer for why m-lines).
 */
export function produceParameters(
  local: LocalMedia[],
  kind: 'audio' | 'video',
  layers: LayerEncoding[] = [],
): RtpParams & { mid: string } {
  const lines = local.filter((m) => m.kind === kind);
  const [m] = lines;
  if (!m) throw new Error(`no local ${kind} m-line`);
  if (layers.length > 1 && lines.length !== layers.length)
    throw new Error(`${layers.length} layers but ${lines.length} ${kind} m-lines`);
  const encodings = lines.map((l, i) => {
    if (l.ssrc === undefined) throw new Error(`local ${kind} m-line ${l.mid} has no SSRC`);
    const layer = layers.length > 1 ? layers[i] : undefined;
    return { ssrc: l.ssrc, ...layer };
  });
  return {
    mid: m.mid,
    codecs: m.codecs,
    headerExtensions: m.headerExtensions,
    encodings,
    rtcp: { cname: m.cname ?? 'parley-bot' },
  };
}

/** Splits an SDP into its m-sections (the session part is dropped). */
function sections(sdp: string): string[][] {
  const out: string[][] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) out.push([line]);
    else if (line && out.length > 0) out[out.length - 1]?.push(line);
  }
  return out;
}

function attr(lines: string[], name: string): string[] {
  const prefix = `a=${name}:`;
  return lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

/** The bot's own m-lines: codecs (with fmtp and feedback), extensions, first SSRC, cname. */
export function parseLocalMedia(sdp: string): LocalMedia[] {
  return sections(sdp).map((lines) => {
    const [kind = '', , , ...pts] = (lines[0] ?? '').split(' ');
    const codecs = pts.map((pt) => {
      const payloadType = Number(pt);
      const rtpmap = attr(lines, 'rtpmap').find((v) => v.startsWith(`${pt} `)) ?? '';
      const [name = '', clock = '0', channels] = rtpmap.slice(pt.length + 1).split('/');
      const params = attr(lines, 'fmtp').find((v) => v.startsWith(`${pt} `));
      const rtcpFeedback = attr(lines, 'rtcp-fb')
        .filter((v) => v.startsWith(`${pt} `))
        .map((v) => {
          const [type = '', parameter] = v.slice(pt.length + 1).split(' ');
          return parameter ? { type, parameter } : { type };
        });
      return {
        mimeType: `${kind.slice(2)}/${name}`,
        payloadType,
        clockRate: Number(clock),
        ...(channels ? { channels: Number(channels) } : {}),
        parameters: parseFmtp(params?.slice(pt.length + 1)),
        rtcpFeedback,
      };
    });
    const ssrcLine = attr(lines, 'ssrc')[0];
    const cname = attr(lines, 'ssrc')
      .map((v) => /^\d+ cname:(.+)$/.exec(v)?.[1])
      .find((v) => v !== undefined);
    return {
      kind: kind.slice(2) === 'audio' ? 'audio' : 'video',
      mid: attr(lines, 'mid')[0] ?? '',
      codecs,
      headerExtensions: attr(lines, 'extmap').map((v) => {
        const [id = '', uri = ''] = v.split(' ');
        return { id: Number(id.split('/')[0]), uri };
      }),
      ssrc: ssrcLine === undefined ? undefined : Number(ssrcLine.split(' ')[0]),
      cname,
    };
  });
}

function parseFmtp(text: string | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of (text ?? '').split(';')) {
    const [k, v] = pair.split('=');
    if (!k || v === undefined) continue;
    out[k.trim()] = /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

/**
 * The bot's DTLS parameters for `sfu-connect`: its fingerprint, and the role its `a=setup`
 * gives it (`active` is the DTLS client).
 */
export function localDtls(sdp: string): {
  role: 'client' | 'server';
  fingerprints: { algorithm: string; value: string }[];
} {
  const fp = /^a=fingerprint:(\S+) (\S+)/m.exec(sdp);
  const setup = /^a=setup:(\S+)/m.exec(sdp)?.[1];
  if (!fp?.[1] || !fp[2]) throw new Error('local SDP has no fingerprint');
  return {
    role: setup === 'passive' ? 'server' : 'client',
    fingerprints: [{ algorithm: fp[1], value: fp[2] }],
  };
}
