import { useEffect, useRef } from 'preact/hooks';

interface VideoProps {
  stream: MediaStream | undefined;
  /** Our own preview/tile: muted (no echo) and mirrored like a mirror. */
  self?: boolean;
  label: string;
  /** Changes whenever the stream's tracks change, to re-attach. */
  epoch?: number;
}

/** Attaches a MediaStream to a <video> through a ref; the stream never enters UI state. */
export function Video({ stream, self = false, label, epoch }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (stream ?? null)) el.srcObject = stream ?? null;
    if (stream) {
      el.play().catch((err: unknown) => console.warn('video playback did not start', err));
    }
  }, [stream, epoch]);
  return (
    <video
      ref={ref}
      class={self ? 'video mirrored' : 'video'}
      aria-label={label}
      autoPlay
      playsInline
      muted={self}
    />
  );
}
