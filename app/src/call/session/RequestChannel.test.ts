import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseServerMessage } from '@parley/protocol';
import type { RequestMessage, ServerMessage } from '@parley/protocol';
import { RequestChannel, RequestError } from './RequestChannel.ts';

/** A channel whose socket is a list; `answer` turns JSON into a server message, as the wire does. */
function setup(online = true) {
  const sent: RequestMessage[] = [];
  let rid = 1;
  const rpc = new RequestChannel(
    (msg) => (sent.push(msg), online),
    () => rid++,
    1000,
  );
  const answer = (msg: Record<string, unknown>): ServerMessage => {
    const parsed = parseServerMessage(JSON.stringify(msg));
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.message;
  };
  return { sent, rpc, answer };
}

describe('RequestChannel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the reply the table names for the request', async () => {
    const { sent, rpc, answer } = setup();
    const reply = rpc.request({ type: 'sfu-produce', ...produce });
    expect(sent).toEqual([{ type: 'sfu-produce', ...produce, rid: 1 }]);
    expect(rpc.onMessage(answer({ type: 'sfu-produced', rid: 1, producerId: 'p1' }))).toBe(true);
    // Typed from the table: `producerId` is there without a hint from the caller.
    expect((await reply).producerId).toBe('p1');
  });

  it('rejects a reply of another request type, and with the error carrying its rid', async () => {
    const { rpc, answer } = setup();
    const wrong = rpc.request({ type: 'sfu-layers', consumerId: 'c1', spatialLayer: 1 });
    expect(rpc.onMessage(answer({ type: 'ok', rid: 1 }))).toBe(true);
    await expect(wrong).rejects.toMatchObject({ code: 'BAD_REPLY' });
    const refused = rpc.request({ type: 'end' });
    rpc.onMessage(answer({ type: 'error', rid: 2, code: 'FORBIDDEN', message: 'hosts only' }));
    await expect(refused).rejects.toBeInstanceOf(RequestError);
  });

  it('leaves pushes and other rids alone, and times out', async () => {
    const { rpc, answer } = setup();
    const reply = rpc.request({ type: 'ping' });
    expect(rpc.onMessage(answer({ type: 'pong', rid: 7 }))).toBe(false);
    expect(rpc.onMessage(answer({ type: 'active-speaker', peerId: null }))).toBe(false);
    vi.advanceTimersByTime(1000);
    await expect(reply).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects at once when the socket is not open', async () => {
    const { rpc } = setup(false);
    await expect(rpc.request({ type: 'ice-refresh' })).rejects.toMatchObject({ code: 'OFFLINE' });
  });
});

const produce = {
  transportId: 't1',
  kind: 'audio',
  rtpParameters: {},
  source: 'mic',
} as const;
