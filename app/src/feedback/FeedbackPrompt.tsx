import { useState } from 'preact/hooks';
import { COMMENT_MAX, markAsked, sendFeedback, wasAsked } from './feedbackApi.ts';
import './feedback.css';

const LABELS = ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'] as const;

type State = 'asking' | 'sending' | 'thanks' | 'skipped';

/**
 * "How was it?" after leaving a meeting (issue 21): 1 to 5 stars (a radio group: arrow keys
 * move, as in any radio group) and an optional comment. Asked once per meeting in this
 * browser, and the server takes one rating per person; Skip is an answer too.
 */
export function FeedbackPrompt({ feedback }: { feedback: { meetingId: string; ticket: string } }) {
  const [state, setState] = useState<State>(() =>
    wasAsked(feedback.meetingId) ? 'skipped' : 'asking',
  );
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (state === 'skipped') return null;
  if (state === 'thanks') {
    return (
      <p class="feedback-thanks" role="status">
        Thank you for your feedback.
      </p>
    );
  }
  const done = (next: State) => {
    markAsked(feedback.meetingId);
    setState(next);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (stars === 0) return;
    setState('sending');
    setError(null);
    const text = comment.trim();
    sendFeedback({ ticket: feedback.ticket, stars, ...(text ? { comment: text } : {}) }).then(
      () => done('thanks'),
      (err: unknown) => {
        setState('asking');
        setError(`Your rating could not be sent: ${String(err)}`);
      },
    );
  };
  return (
    <form class="feedback" aria-labelledby="feedback-title" onSubmit={submit}>
      <h2 id="feedback-title">How was it?</h2>
      <fieldset class="stars">
        <legend>Your rating</legend>
        <div class="star-row">
          {LABELS.map((label, i) => {
            const n = i + 1;
            const id = `feedback-star-${n}`;
            return (
              <span class="star" key={n}>
                <input
                  type="radio"
                  id={id}
                  name="stars"
                  value={n}
                  class="visually-hidden"
                  checked={stars === n}
                  onChange={() => setStars(n)}
                />
                <label for={id} class={n <= stars ? 'lit' : ''} title={label}>
                  <span aria-hidden="true">★</span>
                  <span class="visually-hidden">
                    {n} {n === 1 ? 'star' : 'stars'}: {label}
                  </span>
                </label>
              </span>
            );
          })}
        </div>
        <p class="muted star-caption" aria-hidden="true">
          {stars ? LABELS[stars - 1] : 'Choose 1 to 5 stars'}
        </p>
      </fieldset>
      <label for="feedback-comment">Anything to add? (optional)</label>
      <textarea
        id="feedback-comment"
        rows={3}
        maxLength={COMMENT_MAX}
        value={comment}
        onInput={(e) => setComment(e.currentTarget.value)}
        aria-describedby="feedback-count"
      />
      <span id="feedback-count" class="muted">
        {comment.length} / {COMMENT_MAX} characters
      </span>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={stars === 0 || state === 'sending'}>
          {state === 'sending' ? 'Sending…' : 'Send'}
        </button>
        <button type="button" onClick={() => done('skipped')}>
          Skip
        </button>
      </div>
    </form>
  );
}
