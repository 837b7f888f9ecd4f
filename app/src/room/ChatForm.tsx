import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { lengthHint, sendsOnEnter, tidyDraft } from './chatDraft.ts';

interface Props {
  onSend(text: string): boolean;
  /** Why we may not send (the host turned chat off for guests), or null. */
  disabledNote: string | null;
}

/**
 * The message field (issue 19): several lines with Shift+Enter, Enter sends, it grows with
 * its text to about five lines and then scrolls. Past the server's limit it says so and
 * Send is off; nothing is cut short.
 */
export function ChatForm({ onSend, disabledNote }: Props) {
  const [draft, setDraft] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => fitToText(field.current), [draft]);
  const hint = lengthHint(draft.length);
  const off = disabledNote !== null;
  const canSend = !off && tidyDraft(draft) !== '' && !hint?.over;
  const send = () => {
    if (canSend && onSend(tidyDraft(draft))) setDraft('');
  };
  const describedBy = [off && 'chat-off', hint && 'chat-length'].filter(Boolean).join(' ');

  return (
    <form
      class="chat-form"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {disabledNote && (
        <p class="muted chat-note" id="chat-off">
          {disabledNote}
        </p>
      )}
      <label for="chat-input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="chat-input"
        ref={field}
        rows={1}
        placeholder="Message"
        enterkeyhint="send"
        disabled={off}
        aria-describedby={describedBy || undefined}
        aria-invalid={hint?.over || undefined}
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (!sendsOnEnter(e)) return;
          e.preventDefault();
          send();
        }}
      />
      <button type="submit" disabled={!canSend}>
        Send
      </button>
      {hint && (
        <p id="chat-length" class={hint.over ? 'chat-note over' : 'chat-note'}>
          {hint.text}
        </p>
      )}
    </form>
  );
}

/** As tall as its text; the CSS max-height (about five lines) caps it, and then it scrolls. */
function fitToText(el: HTMLTextAreaElement | null): void {
  if (!el) return;
  el.style.height = 'auto';
  el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`;
}
