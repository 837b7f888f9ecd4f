import { useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import type { PollDraft } from '../call/features/classroom/Polls.ts';
import { background } from '../util/background.ts';

interface Props {
  onLaunch(draft: PollDraft): Promise<boolean>;
}

type Flag = 'multiple' | 'anonymous' | 'changeable';
const FLAGS: { key: Flag; label: string }[] = [
  { key: 'multiple', label: 'Allow several choices' },
  { key: 'anonymous', label: 'Anonymous (nobody sees who voted what)' },
  { key: 'changeable', label: 'Voters may change their vote' },
];

/** What is wrong with a draft before it is sent (the server checks the same), or null. */
function problem(question: string, options: string[]): string | null {
  if (question.trim() === '') return 'Write a question.';
  const filled = options.map((o) => o.trim());
  if (filled.some((o) => o === '')) return 'Fill in every option, or remove it.';
  if (new Set(filled.map((o) => o.toLowerCase())).size < filled.length) {
    return 'Two options are the same.';
  }
  return null;
}

/** Hosts and co-hosts: "New poll", a question and 2-10 options, opened by "Launch poll". */
export function NewPollForm({ onLaunch }: Props) {
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [flags, setFlags] = useState<Record<Flag, boolean>>({
    multiple: false,
    anonymous: false,
    changeable: false,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setOption = (i: number, text: string) =>
    setOptions((all) => all.map((o, j) => (j === i ? text : o)));

  const submit = async () => {
    const wrong = problem(question, options);
    setError(wrong);
    if (wrong) return;
    setBusy(true);
    const launched = await onLaunch({ question, options, ...flags });
    setBusy(false);
    if (!launched) return;
    setQuestion('');
    setOptions(['', '']);
  };

  const onSubmit = (e: Event) => {
    e.preventDefault();
    background(submit(), 'launching a poll');
  };

  return (
    <form class="new-poll" aria-labelledby="new-poll-title" onSubmit={onSubmit}>
      <h3 id="new-poll-title">New poll</h3>
      <div>
        <label for="poll-question">Question</label>
        <input
          id="poll-question"
          value={question}
          maxLength={LIMITS.POLL_QUESTION_MAX}
          onInput={(e) => setQuestion(e.currentTarget.value)}
        />
      </div>
      {options.map((text, i) => (
        <div key={i} class="poll-option-row">
          <label for={`poll-option-${i}`}>Option {i + 1}</label>
          <div class="row">
            <input
              id={`poll-option-${i}`}
              value={text}
              maxLength={LIMITS.POLL_OPTION_MAX}
              onInput={(e) => setOption(i, e.currentTarget.value)}
            />
            {options.length > LIMITS.POLL_OPTIONS_MIN && (
              <button
                type="button"
                class="secondary"
                aria-label={`Remove option ${i + 1}`}
                onClick={() => setOptions((all) => all.filter((_, j) => j !== i))}
              >
                ×
              </button>
            )}
          </div>
        </div>
      ))}
      <button
        type="button"
        class="secondary"
        disabled={options.length >= LIMITS.POLL_OPTIONS_MAX}
        onClick={() => setOptions((all) => [...all, ''])}
      >
        Add option
      </button>
      {FLAGS.map((f) => (
        <label key={f.key} class="toggle">
          <input
            type="checkbox"
            checked={flags[f.key]}
            onChange={(e) => setFlags((all) => ({ ...all, [f.key]: e.currentTarget.checked }))}
          />
          {f.label}
        </label>
      ))}
      {error && (
        <p class="poll-notice" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Launch poll
      </button>
    </form>
  );
}
