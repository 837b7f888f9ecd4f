import type { StoredPoll, StoredVote } from '../store/index.ts';

/** The CSV's columns (PROTOCOL.md documents them). */
export const POLL_CSV_HEADER = [
  'poll',
  'launched_at',
  'ended_at',
  'question',
  'choice',
  'anonymous',
  'option',
  'votes',
  'voters',
  'names',
] as const;

/**
 * One cell, quoted when it must be (RFC 4180). A cell a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a `'` before it: a question or a
 * name is anyone's text, and a download must not turn it into code (OWASP "CSV injection").
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/**
 * A room's polls as CSV: one row per option of every poll, oldest poll first, with its votes,
 * how many people voted in the poll, and (named polls only) who chose it.
 */
export function pollsCsv(polls: readonly { poll: StoredPoll; votes: StoredVote[] }[]): string {
  const rows: (string | number)[][] = [[...POLL_CSV_HEADER]];
  polls.forEach(({ poll, votes }, n) => {
    poll.options.forEach((option, i) => {
      const chose = votes.filter((v) => v.choices.includes(i));
      const names = poll.anonymous ? '' : chose.map((v) => v.name ?? '').join('; ');
      rows.push([
        n + 1,
        iso(poll.launchedAt),
        iso(poll.endedAt),
        poll.question,
        poll.multiple ? 'multiple' : 'single',
        poll.anonymous ? 'yes' : 'no',
        option,
        chose.length,
        votes.length,
        names,
      ]);
    });
  });
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
