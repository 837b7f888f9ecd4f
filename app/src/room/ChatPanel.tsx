import { useEffect, useRef } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { ChatEntry } from '../call/features/chat/chatState.ts';
import { chatParts } from './chatLinks.ts';
import { ChatForm } from './ChatForm.tsx';
import './chat.css';

interface Props {
  entries: ChatEntry[];
  onSend(text: string): boolean;
  notice: string | null;
  /** Why we may not send (the host turned chat off for guests), or null. */
  disabledNote?: string | null;
  /** Closes the panel (the toolbar's Chat button opens it again). */
  onClose?(): void;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function Time({ ts }: { ts: number | null }) {
  if (ts === null) return null;
  return <time dateTime={new Date(ts).toISOString()}>{timeFormat.format(ts)}</time>;
}

/**
 * A message's text with its web links clickable: text nodes and `<a>` elements built by
 * JSX, never HTML. A link opens in a new tab that cannot reach back into the call.
 */
function MessageText({ text }: { text: string }) {
  return (
    <>
      {chatParts(text).map((part) =>
        part.kind === 'link' ? (
          <a href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

/** Within this of the end, the list counts as showing its newest line. */
const AT_END_PX = 24;

/**
 * Keeps the newest line in view while the list shows its end: when a line arrives, and when
 * the list gets shorter (the message field grew a line). Someone reading further up stays
 * where they are, unless they sent a message themselves.
 */
function useNewestInView(listRef: RefObject<HTMLOListElement>, entries: ChatEntry[]): void {
  const atEnd = useRef(true);
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const onScroll = () => {
      atEnd.current = list.scrollHeight - list.scrollTop - list.clientHeight <= AT_END_PX;
    };
    const resized = new ResizeObserver(() => {
      if (atEnd.current) list.scrollTop = list.scrollHeight;
    });
    list.addEventListener('scroll', onScroll, { passive: true });
    resized.observe(list);
    return () => {
      list.removeEventListener('scroll', onScroll);
      resized.disconnect();
    };
  }, [listRef]);
  const newest = entries.at(-1);
  useEffect(() => {
    const list = listRef.current;
    if (list && (atEnd.current || newest?.mine)) list.scrollTop = list.scrollHeight;
  }, [listRef, newest?.key, newest?.mine]);
}

/** Chat text is rendered as text nodes and links only (JSX escapes it); never as HTML. */
export function ChatPanel({ entries, onSend, notice, disabledNote = null, onClose }: Props) {
  const listRef = useRef<HTMLOListElement>(null);
  useNewestInView(listRef, entries);

  return (
    <section class="chat" id="chat-panel" aria-label="Chat">
      {onClose && (
        <div class="panel-head">
          <h2>Chat</h2>
          <button type="button" aria-label="Close chat" onClick={onClose}>
            ×
          </button>
        </div>
      )}
      {/* New messages are read out once: additions only, not a "sending…" that turns into a time. */}
      <ol class="chat-list" ref={listRef} aria-live="polite" aria-relevant="additions">
        {entries.map((m) =>
          m.kind === 'message' ? (
            <li
              key={m.key}
              class={m.mine ? 'chat-item mine' : 'chat-item'}
              data-pending={m.pending}
              // Ours is read out when the server has it (its confirmed copy replaces this one).
              aria-live={m.pending ? 'off' : undefined}
            >
              <p class="chat-head">
                <span class="chat-name">{m.name}</span>
                <span class="chat-meta">{m.pending ? 'sending…' : <Time ts={m.ts} />}</span>
              </p>
              <p class="chat-text">
                <MessageText text={m.text} />
              </p>
            </li>
          ) : (
            // Not read out: in a class of thirty, the arrivals would drown the messages.
            <li key={m.key} class="chat-presence" data-change={m.kind} aria-live="off">
              {m.text} <Time ts={m.ts} />
            </li>
          ),
        )}
      </ol>
      {notice && <p class="muted">{notice}</p>}
      <ChatForm onSend={onSend} disabledNote={disabledNote} />
    </section>
  );
}
