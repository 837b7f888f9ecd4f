// The prebuilt browser bundle of simple-peer 9.11.1 (no Node globals needed, unlike its index.js).
// Only the surface Parley uses is typed here, which keeps @types/node out of the app.
declare module 'simple-peer/simplepeer.min.js' {
  export interface SimplePeerOptions {
    initiator?: boolean;
    stream?: MediaStream;
    streams?: MediaStream[];
    trickle?: boolean;
    config?: RTCConfiguration;
    offerOptions?: RTCOfferOptions;
    /** Rewrites each local SDP (offer or answer) before it is applied and sent. */
    sdpTransform?: (sdp: string) => string;
  }
  /** An SDP or ICE candidate payload; opaque to everything but simple-peer. */
  export type SignalData = Record<string, unknown>;
  export interface SimplePeerInstance {
    /** The underlying connection (undocumented but stable in 9.x); used for getStats only. */
    readonly _pc: RTCPeerConnection;
    readonly destroyed: boolean;
    signal(data: SignalData): void;
    destroy(err?: Error): void;
    replaceTrack(oldTrack: MediaStreamTrack, newTrack: MediaStreamTrack, stream: MediaStream): void;
    addTrack(track: MediaStreamTrack, stream: MediaStream): void;
    addStream(stream: MediaStream): void;
    removeStream(stream: MediaStream): void;
    on(event: 'signal', fn: (data: SignalData) => void): this;
    on(event: 'stream', fn: (stream: MediaStream) => void): this;
    on(event: 'connect' | 'close', fn: () => void): this;
    on(event: 'error', fn: (err: Error & { code?: string }) => void): this;
  }
  const SimplePeer: {
    new (opts?: SimplePeerOptions): SimplePeerInstance;
    readonly WEBRTC_SUPPORT: boolean;
  };
  export default SimplePeer;
}
