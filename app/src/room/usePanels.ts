import { useEffect, useRef, useState } from 'preact/hooks';
import type { PollView } from '@parley/protocol';
import type { CallSnapshot } from '../call/callState.ts';

/** A panel that opens by itself when its count grows (someone waits, a hand goes up); it may be closed. */
export function useOpenOnArrival(count: number): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  const before = useRef(0);
  useEffect(() => {
    if (count > before.current) setOpen(true);
    before.current = count;
  }, [count]);
  return [open, setOpen];
}

/**
 * The poll panel opens by itself when a poll is launched, ends or is shared (everyone has
 * something new to do or read); it may be closed, and reopened from the toolbar.
 */
export function usePollOpen(poll: PollView | null): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  const key = poll ? `${poll.pollId} ${poll.state} ${poll.shared}` : '';
  // Empty at first: someone joining while a poll is open sees it at once.
  const before = useRef('');
  useEffect(() => {
    if (key !== before.current && key !== '') setOpen(true);
    before.current = key;
  }, [key]);
  return [open, setOpen];
}

/**
 * Messages from others that came while the chat was closed (issue 19: the panel may be
 * closed; the toolbar's Chat button then counts what is new).
 */
export function useUnread(entries: CallSnapshot['chat'], open: boolean): number {
  const seen = useRef(entries.length);
  if (open || entries.length < seen.current) seen.current = entries.length;
  return open
    ? 0
    : entries.slice(seen.current).filter((e) => e.kind === 'message' && !e.mine).length;
}
