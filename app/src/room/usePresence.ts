import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatEntry } from '../call/features/chat/chatState.ts';
import { presenceSummary } from './people.ts';
import type { PresenceChange } from './people.ts';

/** Joins and leaves this close together make one notice. */
const GATHER_MS = 1_500;
/** How long a notice stays up. */
const SHOW_MS = 6_000;

/**
 * "Ada joined" / "Bo left" for a moment (issue 19), from the chat's presence lines: shown, and
 * read out politely by screen readers, with those of the next moment or so gathered into one
 * sentence. Lines from before this view opened are not news.
 */
export function usePresenceNotice(chat: readonly ChatEntry[]): string | null {
  const seen = useRef<Set<string> | null>(null);
  const gathered = useRef<PresenceChange[]>([]);
  const gather = useRef<ReturnType<typeof setTimeout>>();
  const hide = useRef<ReturnType<typeof setTimeout>>();
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const lines = chat.filter((e) => e.kind !== 'message');
    if (seen.current === null) {
      seen.current = new Set(lines.map((e) => e.key));
      return;
    }
    const known = seen.current;
    for (const line of lines) {
      if (known.has(line.key) || line.kind === 'message') continue;
      known.add(line.key);
      gathered.current.push({ name: line.name, change: line.kind });
    }
    if (gathered.current.length === 0 || gather.current) return;
    gather.current = setTimeout(() => {
      gather.current = undefined;
      setNotice(presenceSummary(gathered.current.splice(0)));
      clearTimeout(hide.current);
      hide.current = setTimeout(() => setNotice(null), SHOW_MS);
    }, GATHER_MS);
  }, [chat]);
  useEffect(
    () => () => {
      clearTimeout(gather.current);
      clearTimeout(hide.current);
    },
    [],
  );
  return notice;
}

/** A soft two-note chime when the count grows (someone knocks), for those who let people in. */
export function useKnockSound(count: number, on: boolean): void {
  const before = useRef(count);
  useEffect(() => {
    if (on && count > before.current) playKnock();
    before.current = count;
  }, [count, on]);
}

let audio: AudioContext | undefined;

function playKnock(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime + 0.01;
    [660, 880].forEach((frequency, i) => {
      const ctx = audio as AudioContext;
      const at = start + i * 0.18;
      const osc = new OscillatorNode(ctx, { type: 'sine', frequency });
      const gain = new GainNode(ctx, { gain: 0.0001 });
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.08, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.32);
    });
  } catch {
    // No Web Audio here (or it refused to start): the visual notice is still there.
  }
}
