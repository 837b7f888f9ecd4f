import { useEffect, useState } from 'preact/hooks';
import { levelOf } from '../call/local/micLevel.ts';
import { log } from '../log.ts';
import './devices.css';

/** How often the bar moves: ten times a second reads as live without costing much. */
const SAMPLE_MS = 100;

/**
 * How loud our microphone is, as a bar (`role="meter"`, 0-100): an AnalyserNode on the
 * stream's audio track, read every SAMPLE_MS. A muted microphone (track.enabled off) reads 0.
 * `epoch` changes when the track does (another microphone picked).
 */
export function MicMeter({ stream, epoch }: { stream: MediaStream | undefined; epoch: number }) {
  const [level, setLevel] = useState(0);
  const track = stream?.getAudioTracks()[0];
  useEffect(() => {
    setLevel(0);
    if (!track) return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      setLevel(levelOf(samples));
    }, SAMPLE_MS);
    // A context made before any click or key may start suspended (autoplay rules).
    const resume = () => {
      if (context.state === 'suspended') context.resume().catch(warn);
    };
    resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
    return () => {
      clearInterval(timer);
      document.removeEventListener('pointerdown', resume);
      document.removeEventListener('keydown', resume);
      source.disconnect();
      context.close().catch(warn);
    };
  }, [track, epoch]);
  return (
    <div class="mic-meter-row">
      <span aria-hidden="true">Microphone level</span>
      <div
        class="mic-meter"
        role="meter"
        aria-label="Microphone level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={track ? level : 0}
      >
        <div class="mic-meter-bar" style={{ width: `${track ? level : 0}%` }} />
      </div>
    </div>
  );
}

function warn(err: unknown): void {
  log.warn('microphone level meter', err);
}
