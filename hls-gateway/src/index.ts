// The broadcast package: HlsGateway (what signaling starts and stops), the /hls/ HTTP handler
// and viewer tokens. FFmpeg (with libx264) must be on PATH, or FFMPEG_PATH must point at it.
export {
  HlsGateway,
  type BroadcastSourcesSpec,
  type EndReason,
  type HlsGatewayEvents,
  type HlsGatewayOptions,
} from './hlsGateway.ts';
export type { RestartReason } from './hlsSession.ts';
export type { PlainConsumerSource } from './sources.ts';
export type { PortRange } from './ports.ts';
export type { GatewayLog } from './types.ts';
export { handleHlsRequest, type HlsServeOptions } from './serve.ts';
export { signViewerToken, verifyViewerToken } from './viewerToken.ts';
export { buildFfmpegPlan, toArgs, type EncodeOptions, type FfmpegPlan } from './ffmpegArgs.ts';
export { buildSdp, sdpStreamOf, type SdpInput, type SdpStream } from './sdp.ts';
// Shared with @parley/recorder (issue 18): port leasing and FFmpeg supervision live here once.
export { PortPool, DEFAULT_RTP_PORTS } from './ports.ts';
export {
  FfmpegProcess,
  launchFfmpeg,
  type FfmpegExit,
  type FfmpegLauncher,
  type FfmpegProcessOptions,
} from './ffmpegProcess.ts';
export type { FfmpegInput } from './ffmpegArgs.ts';
// Real media into the SFU for other packages' tests (FFmpeg test pattern + tone).
export { startTestSource, type TestSource, type TestSourceOptions } from './testSource.ts';
