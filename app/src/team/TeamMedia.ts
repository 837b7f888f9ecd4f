import type { Consumer, Device, Producer, Transport } from 'mediasoup-client/types';
import type { SfuState, SfuTransport } from '@parley/protocol';
import type { RequestChannel } from '../call/session/RequestChannel.ts';
import type { SfuIce } from '../call/topology/sfu/SfuSession.ts';
import { loadSfuDevice } from '../call/topology/sfu/sfuDevice.ts';
import { IceRecovery } from '../call/topology/sfu/iceRecovery.ts';
import { inboundOf } from '../call/topology/rtcStats.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';
import { ChannelOutput } from './ChannelOutput.ts';
import type { ChannelLevel } from './ChannelOutput.ts';
import { createTransport, dtlsOf } from '../call/topology/sfu/transport.ts';

/** What the media tells the team controller. */
export interface TeamMediaEvents {
  /** A transport could not be brought back: the team page must join again. */
  failed(reason: string): void;
  /**
   * Whether the server can be asked now. An ICE restart needs fresh credentials and new ICE
   * parameters from it: while the socket is down (a network change drops both at once) the
   * restart waits for the resume (`recoverIce`) instead of failing and rebuilding everything.
   */
  canAsk(): boolean;
  /** An ICE restart is under way (true), or every one is over (false). */
  restarting(active: boolean): void;
}

/**
 * A speaking microphone for a walkie-talkie: the browser's voice processing on (echo and
 * noise are worse on a phone's speaker than in a headset), mono.
 */
const MIC_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  channelCount: 1,
};

/**
 * Our side of a team's audio-only router: one send transport with our one microphone
 * producer, one receive transport with a consumer per channel we listen to, each played
 * through its own ChannelOutput. No UI state here: the controller asks and tells.
 */
export class TeamMedia {
  private device: Device | undefined;
  private recv: Transport | undefined;
  private send: Transport | undefined;
  private producer: Producer | undefined;
  private mic: MediaStream | undefined;
  private readonly consumers = new Map<string, { consumer: Consumer; output: ChannelOutput }>();
  private readonly recovery: IceRecovery;
  private closed = false;

  constructor(
    private readonly rpc: RequestChannel,
    private readonly ice: SfuIce,
    readonly audio: AudioContext,
    private readonly events: TeamMediaEvents,
  ) {
    this.recovery = new IceRecovery(rpc, ice, {
      closed: () => this.closed,
      restarting: (active) => events.restarting(active),
      failed: (reason) => events.failed(reason),
    });
  }

  /** Loads the Device and opens the receive transport the server made with our admission. */
  async start(sfu: SfuState): Promise<void> {
    const [device, recv] = await Promise.all([
      loadSfuDevice(sfu.routerRtpCapabilities),
      sfu.recvTransport ?? this.rpc.request({ type: 'sfu-transport', direction: 'recv' }),
    ]);
    if (this.closed) return;
    this.device = device;
    this.recv = this.openTransport(device, recv);
  }

  /**
   * Opens the microphone and produces it once, paused: it is resumed while we hold the
   * button. Throws when the microphone is refused (the page then only listens).
   */
  async startMic(): Promise<void> {
    const device = this.device;
    if (!device || this.producer || this.closed) return;
    this.mic = await navigator.mediaDevices.getUserMedia({ audio: MIC_CONSTRAINTS });
    const track = this.mic.getAudioTracks()[0];
    if (!track || this.closed) return this.stopMic();
    const reply = await this.rpc.request({ type: 'sfu-transport', direction: 'send' });
    this.send = this.openTransport(device, reply);
    this.producer = await this.send.produce({
      track,
      stopTracks: false,
      appData: { source: 'mic' },
      // DTX: next to nothing is sent in pauses; FEC: a lost packet is rebuilt from the next.
      codecOptions: { opusDtx: true, opusFec: true, opusStereo: false },
    });
    // The server keeps it paused unless we hold a floor; we also stop sending while idle.
    this.producer.pause();
  }

  get hasMic(): boolean {
    return this.producer !== undefined;
  }

  /** Sends (or stops sending) our microphone; the server forwards it only with the floor. */
  setSending(on: boolean): void {
    if (!this.producer || this.producer.closed) return;
    if (on) this.producer.resume();
    else this.producer.pause();
  }

  /** Starts hearing a channel: its consumer on our receive transport, into the mix. */
  async listen(channelId: string): Promise<void> {
    const device = this.device;
    if (!device || !this.recv || this.consumers.has(channelId)) return;
    const reply = await this.rpc.request({
      type: 'channel-listen',
      channelId,
      rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
    });
    const consumer = await this.recv.consume({
      id: reply.consumerId,
      producerId: reply.producerId,
      kind: 'audio',
      rtpParameters: reply.rtpParameters as unknown as Consumer['rtpParameters'],
    });
    if (this.closed || this.consumers.has(channelId)) return consumer.close();
    this.consumers.set(channelId, {
      consumer,
      output: new ChannelOutput(this.audio, consumer.track),
    });
  }

  /** Stops hearing a channel: the server closes its consumer, not one more packet comes. */
  async unlisten(channelId: string): Promise<void> {
    this.drop(channelId);
    await this.rpc.request({ type: 'channel-unlisten', channelId });
  }

  /** Our side of a channel that is gone (removed by an admin): no request. */
  drop(channelId: string): void {
    const entry = this.consumers.get(channelId);
    if (!entry) return;
    this.consumers.delete(channelId);
    entry.output.close();
    entry.consumer.close();
  }

  setVolume(channelId: string, volume: number): void {
    this.consumers.get(channelId)?.output.setVolume(volume);
  }

  /** Silences the channel we talk on (null: none). */
  muteOwnChannel(channelId: string | null): void {
    for (const [id, { output }] of this.consumers) output.setSelfMuted(id === channelId);
  }

  // ---------- for the debug hook ----------

  level(channelId: string, frequency: number): ChannelLevel | null {
    return this.consumers.get(channelId)?.output.level(frequency) ?? null;
  }

  /** RTP bytes received on a channel's consumer so far (null: not listening). */
  async bytesReceived(channelId: string): Promise<number | null> {
    const entry = this.consumers.get(channelId);
    if (!entry) return null;
    return inboundOf(await entry.consumer.getStats()).bytesReceived;
  }

  /**
   * After a resume: restarts ICE on each transport the drop left without a path. A network
   * change kills the old path, and the browser may call it only `disconnected` for many
   * seconds before `failed`; a restart finds the new one at once.
   */
  recoverIce(): void {
    for (const transport of [this.recv, this.send]) {
      const state = transport?.connectionState;
      if (!transport || (state !== 'failed' && state !== 'disconnected')) continue;
      log.warn(`team: ${transport.direction} transport ${state} after the resume, restarting ICE`);
      background(this.recovery.recover(transport), 'team: ICE restart');
    }
  }

  /** Idempotent: transports, producer, consumers and the microphone. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.consumers.keys()]) this.drop(id);
    this.producer?.close();
    this.send?.close();
    this.recv?.close();
    this.stopMic();
  }

  private stopMic(): void {
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = undefined;
  }

  private openTransport(device: Device, reply: SfuTransport): Transport {
    const transport = createTransport(device, reply, this.ice.config());
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.rpc
        .request({
          type: 'sfu-connect',
          transportId: transport.id,
          dtlsParameters: dtlsOf(dtlsParameters),
        })
        .then(() => done(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
      this.rpc
        .request({
          type: 'sfu-produce',
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          source: 'mic',
        })
        .then((r) => done({ id: r.producerId }), fail);
    });
    transport.on('connectionstatechange', (state) => {
      if (state !== 'failed') return;
      if (!this.events.canAsk()) {
        log.warn(`team: ${reply.direction} transport failed while offline, restarting on resume`);
        return;
      }
      log.warn(`team: ${reply.direction} transport failed, restarting ICE`);
      background(this.recovery.recover(transport), 'team: ICE restart');
    });
    return transport;
  }
}
