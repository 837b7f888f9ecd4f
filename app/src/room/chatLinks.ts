/** A piece of a chat message: plain text, or a web link to render as an `<a>`. */
export type ChatPart =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Candidates start at a word boundary with http:// or https:// and run to a space or quote. */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/giu;

/** Ends a sentence or a quote rather than a URL ("see https://x.org." or "'https://x.org'"). */
const TRAILING = new Set(['.', ',', ':', ';', '!', '?', "'", '’', '”', '*']);
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Splits a message into text and http(s) links (issue 19). Anything else (javascript:,
 * data:, mailto:, a bare "www.") stays text. The caller renders the parts as text nodes and
 * `<a>` elements, never as HTML.
 */
export function chatParts(message: string): ChatPart[] {
  const parts: ChatPart[] = [];
  let textStart = 0;
  for (const match of message.matchAll(CANDIDATE)) {
    const text = trimTrailing(match[0]);
    const href = webHref(text);
    if (href === null) continue;
    if (match.index > textStart) {
      parts.push({ kind: 'text', text: message.slice(textStart, match.index) });
    }
    parts.push({ kind: 'link', text, href });
    textStart = match.index + text.length;
  }
  if (textStart < message.length) parts.push({ kind: 'text', text: message.slice(textStart) });
  return parts;
}

/** Drops punctuation that ends the sentence, and a bracket the URL did not open. */
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1) ?? '';
    const opening = CLOSING[last];
    const unbalanced = opening !== undefined && count(url, last) > count(url, opening);
    if (!TRAILING.has(last) && !unbalanced) return url;
    url = url.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The link's target when `text` is a well-formed http(s) URL with a host, else null. */
function webHref(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null; // "https://[" and the like: not a URL, so it stays text.
  }
  const web = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  return web ? url.href : null;
}
