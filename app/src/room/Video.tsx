import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { canChooseOutput } from '../call/local/media.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/**
 * Where remote audio plays: an audio output's device id, or undefined for the system's default.
 * Provided around the call (RoomPage), so every AudioSink, one mounted later too, follows it.
 */
export const AudioOutput = createContext<string | undefined>(undefined);

interface VideoProps {
  stream: MediaStream | undefined;
  /** Our own preview/tile: mirrored like a mirror. */
  self?: boolean;
  label: string;
  /** Changes whenever the stream's tracks change, to re-attach. */
  epoch?: number;
  /** Which remote tile this is (read by the debug hook); absent for our own video. */
  tile?: { peerId: string; source: 'camera' | 'screen' };
}

/**
 * Attaches a MediaStream to a <video> through a ref; the stream never enters UI state. A
 * layout effect, so a (re)mounted tile never paints without its stream.
 * Always muted: remote audio plays through AudioSink, so paging a tile away keeps it audible.
 * A swap (mesh <-> SFU) only changes srcObject of this same element, to a stream that is
 * already decoding, so the tile never goes blank.
 */
export function Video({ stream, self = false, label, epoch, tile }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    if (stream) {
      el.play().catch((err: unknown) => log.warn('video playback did not start', err));
    }
  }, [stream, epoch]);
  return (
    <video
      ref={ref}
      class={self ? 'video mirrored' : 'video'}
      aria-label={label}
      data-tile-peer={tile?.peerId}
      data-tile-source={tile?.source}
      autoPlay
      playsInline
      muted
    />
  );
}

/**
 * Plays one remote peer's audio, whether or not its tile is on the current page, on the chosen
 * output (setSinkId, where the browser has it).
 */
export function AudioSink({ stream, epoch }: { stream: MediaStream | undefined; epoch: number }) {
  const ref = useRef<HTMLAudioElement>(null);
  const output = useContext(AudioOutput);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    if (stream) el.play().catch((err: unknown) => log.warn('audio did not start', err));
  }, [stream, epoch]);
  useEffect(() => {
    const el = ref.current;
    // '' is the system's default output.
    if (el && canChooseOutput()) background(applySink(el, output ?? ''), 'audio output');
  }, [output]);
  return <audio ref={ref} autoPlay />;
}

/** Sends an element's sound to `sinkId`; a device that went away leaves it where it was. */
export async function applySink(el: HTMLMediaElement, sinkId: string): Promise<void> {
  if (el.sinkId === sinkId) return;
  await el
    .setSinkId(sinkId)
    .catch((err: unknown) => log.warn('could not choose the audio output', err));
}
