import { background } from '../util/background.ts';

/** A channel's sound right now, for the debug hook: loudest bin near a frequency, and overall. */
export interface ChannelLevel {
  /** dBFS of the loudest bin within two bins of the asked frequency (-200: silence). */
  toneDb: number;
  /** dBFS of the loudest bin of the whole spectrum. */
  peakDb: number;
}

/** What the analyser reports for silence. */
const SILENCE_DB = -200;

/** How fast a volume change or a self-mute takes effect (time constant, seconds). */
const GAIN_RAMP_S = 0.01;

/**
 * One channel we listen to, as sound: its consumer's track -> MediaStreamSource -> GainNode
 * (the channel's volume, 0 while we talk on it ourselves) -> the speakers, so that several
 * channels mix in the browser. An AnalyserNode after the gain measures what is heard.
 */
export class ChannelOutput {
  /**
   * Chrome pulls a remote WebRTC track into WebAudio only while a media element plays it
   * (crbug.com/933677): a muted <audio> keeps it flowing without playing it twice.
   */
  private readonly element = new Audio();
  private readonly source: MediaStreamAudioSourceNode;
  private readonly gain: GainNode;
  private readonly analyser: AnalyserNode;
  private volume = 1;
  private selfMuted = false;

  constructor(
    private readonly ctx: AudioContext,
    track: MediaStreamTrack,
  ) {
    const stream = new MediaStream([track]);
    this.element.muted = true;
    this.element.srcObject = stream;
    background(this.element.play(), 'playing a channel (muted element)');
    this.source = ctx.createMediaStreamSource(stream);
    this.gain = ctx.createGain();
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.source.connect(this.gain);
    this.gain.connect(ctx.destination);
    this.gain.connect(this.analyser);
  }

  setVolume(volume: number): void {
    this.volume = Math.min(1, Math.max(0, volume));
    this.apply();
  }

  /** A talker does not hear themselves: their channel is silent here while they talk on it. */
  setSelfMuted(muted: boolean): void {
    this.selfMuted = muted;
    this.apply();
  }

  level(frequency: number): ChannelLevel {
    const bins = new Float32Array(this.analyser.frequencyBinCount);
    this.analyser.getFloatFrequencyData(bins);
    const binHz = this.ctx.sampleRate / this.analyser.fftSize;
    const centre = Math.round(frequency / binHz);
    let toneDb = -Infinity;
    for (let i = Math.max(0, centre - 2); i <= Math.min(bins.length - 1, centre + 2); i++) {
      toneDb = Math.max(toneDb, bins[i] ?? -Infinity);
    }
    let peakDb = -Infinity;
    for (const v of bins) peakDb = Math.max(peakDb, v);
    // Digital silence is -Infinity dB: a finite floor keeps the numbers plain JSON.
    return { toneDb: Math.max(SILENCE_DB, toneDb), peakDb: Math.max(SILENCE_DB, peakDb) };
  }

  close(): void {
    this.source.disconnect();
    this.gain.disconnect();
    this.element.srcObject = null;
  }

  private apply(): void {
    const target = this.selfMuted ? 0 : this.volume;
    this.gain.gain.setTargetAtTime(target, this.ctx.currentTime, GAIN_RAMP_S);
  }
}
