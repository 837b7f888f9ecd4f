import { useRef, useState } from 'preact/hooks';
import { canChooseOutput } from '../call/local/media.ts';
import { applySink } from './Video.tsx';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/** A short chime: two notes, long enough to hear, short enough not to annoy. */
const NOTES_HZ = [660, 880];
const NOTE_S = 0.35;

/**
 * "Test speaker": plays a short chime through the chosen output, as the call's sound will
 * play (an <audio> element with setSinkId, fed by an oscillator through Web Audio).
 */
export function SpeakerTest({ sinkId }: { sinkId: string | undefined }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const play = async () => {
    const el = audio.current;
    if (!el || playing) return;
    setPlaying(true);
    const context = new AudioContext();
    try {
      if (canChooseOutput()) await applySink(el, sinkId ?? '');
      const out = context.createMediaStreamDestination();
      const done = chime(context, out);
      el.srcObject = out.stream;
      await el.play();
      await done;
    } catch (err) {
      log.warn('speaker test', err);
    } finally {
      el.srcObject = null;
      await context.close().catch((err: unknown) => log.warn('speaker test', err));
      setPlaying(false);
    }
  };
  return (
    <div class="speaker-test">
      <button type="button" onClick={() => background(play(), 'speaker test')}>
        {playing ? 'Playing a test sound…' : 'Test speaker'}
      </button>
      <audio ref={audio} class="speaker-test-audio" />
    </div>
  );
}

/** Schedules the notes into `out`; resolves when the last one has ended. */
function chime(context: AudioContext, out: AudioNode): Promise<void> {
  const gain = context.createGain();
  gain.connect(out);
  const start = context.currentTime + 0.05;
  let last: OscillatorNode | undefined;
  NOTES_HZ.forEach((hz, i) => {
    const at = start + i * NOTE_S;
    const osc = context.createOscillator();
    osc.frequency.value = hz;
    // A soft attack and decay: no click at either end.
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.3, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.001, at + NOTE_S);
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + NOTE_S);
    last = osc;
  });
  return new Promise((resolve) => last?.addEventListener('ended', () => resolve()));
}
