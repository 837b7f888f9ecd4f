/** Inbound counters of one receiver, summed over its inbound-rtp reports. */
export interface InboundCounters {
  framesDecoded: number;
  bytesReceived: number;
  /** Chrome's audio level of the last packets, 0..1 (audio only; 0 when unknown). */
  audioLevel: number;
  /** Width of the last decoded frame (video; 0 when unknown). */
  frameWidth: number;
}

export function inboundOf(report: RTCStatsReport): InboundCounters {
  const out: InboundCounters = { framesDecoded: 0, bytesReceived: 0, audioLevel: 0, frameWidth: 0 };
  report.forEach((s: { type: string } & Record<string, unknown>) => {
    if (s.type !== 'inbound-rtp') return;
    out.framesDecoded += Number(s.framesDecoded ?? 0);
    out.bytesReceived += Number(s.bytesReceived ?? 0);
    out.audioLevel = Math.max(out.audioLevel, Number(s.audioLevel ?? 0));
    out.frameWidth = Math.max(out.frameWidth, Number(s.frameWidth ?? 0));
  });
  return out;
}

/** A track "flows" once it has decoded a frame (video) or received bytes (audio). */
export function isFlowing(kind: string, c: InboundCounters): boolean {
  return kind === 'video' ? c.framesDecoded > 0 : c.bytesReceived > 0;
}
