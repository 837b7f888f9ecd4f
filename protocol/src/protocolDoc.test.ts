import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientMessageSchema, ServerMessageSchema } from './messages.ts';
import { RelayNoteSchema } from './relayNotes.ts';
import { REPLIES } from './replies.ts';

const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');

/**
 * True when the doc names `word` as code: in backticks, alone or followed by its fields
 * (`` `sfu-ok` ``, `` `chat-sync {since}` ``, `` `swapped` ``).
 */
function mentioned(word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('`' + escaped + '[` ]').test(doc);
}

const clientTypes = ClientMessageSchema.options.map((o) => o.shape.type.value);
const serverTypes = ServerMessageSchema.options.map((o) => o.shape.type.value);
const noteCtls = RelayNoteSchema.options.map((o) => o.shape.ctl.value);

describe('PROTOCOL.md', () => {
  it.each(clientTypes)('describes the client message `%s`', (type) => {
    expect(mentioned(type)).toBe(true);
  });

  it.each(serverTypes)('describes the server message `%s`', (type) => {
    expect(mentioned(type)).toBe(true);
  });

  it.each(noteCtls)('describes the relay note `%s`', (ctl) => {
    expect(mentioned(ctl)).toBe(true);
  });

  it('lists every request with its replies, as the REPLIES table has them', () => {
    const section = doc.split('\n## Requests and their replies\n')[1]?.split('\n## ')[0] ?? '';
    const rows = section.split('\n');
    for (const [request, replies] of Object.entries(REPLIES)) {
      const row = rows.find((line) => line.startsWith(`| \`${request}\` |`));
      expect(row, `no row for ${request} in the request -> reply table`).toBeDefined();
      const cell = row?.split('|')[2] ?? '';
      const listed = [...cell.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
      expect(listed, request).toEqual([...replies]);
    }
  });
});
