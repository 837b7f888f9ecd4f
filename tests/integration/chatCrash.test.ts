// Chat durability under a crash (issue 14): the real server process is killed with SIGKILL at
// seeded random moments while clients send, restarted on the same SQLite directory each time,
// and every message it acknowledged must be in the history exactly once, in ack order.
// Replay a failure with CRASH_SEED=<seed> (every run prints its seed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, parseServerMessage } from '@parley/protocol';
import type { ChatMessage, CreateRoomResponse, ServerMessage } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startParleyProcess } from './support/parleyProcess.ts';
import type { ParleyProcess } from './support/parleyProcess.ts';

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CLIENTS = 4;
const PER_CLIENT = 120;
const TOTAL = CLIENTS * PER_CLIENT;
/** Kills while clients send; one more comes right after the last ack, before the check. */
const KILLS = 5;
/** Chat messages a client keeps unacknowledged at once, so a kill finds writes in flight. */
const WINDOW = 8;
/** About 40 s on a quiet machine, mostly seven server starts; 100 s once under a load of 20. */
const TIMEOUT_MS = 240_000;

/** mulberry32: a small seeded generator, so the kill points replay from the seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Outgoing {
  clientId: string;
  text: string;
}

interface Ack {
  sender: number;
  clientId: string;
  seq: number;
  /** Which server process acknowledged it (0 = the first). */
  life: number;
}

/**
 * One client's messages, sent over as many connections as it takes: whatever was not
 * acknowledged when a connection dropped is sent again, with the same client id, on the next.
 */
class ChatSender {
  readonly acks: Ack[] = [];
  readonly refusals: string[] = [];
  /** Messages sent at least once before a connection dropped without their ack. */
  readonly inDoubt = new Set<string>();
  inFlight = 0;
  #unacked: Outgoing[];

  constructor(
    readonly index: number,
    messages: Outgoing[],
  ) {
    this.#unacked = [...messages];
  }

  get done(): boolean {
    return this.#unacked.length === 0;
  }

  /** One connection: hello, join, then chat until all is acknowledged or the socket drops. */
  session(url: string, roomId: string, life: number, onAck: (a: Ack) => void): Promise<void> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    const sent = new Map<number, Outgoing>();
    const pending = new Set<string>();
    let rid = 0;
    const send = (m: Record<string, unknown>): number => {
      ws.send(JSON.stringify({ ...m, rid: ++rid }));
      return rid;
    };
    const pump = (): void => {
      if (this.done) {
        ws.close();
        return;
      }
      for (const m of this.#unacked) {
        if (pending.size >= WINDOW) break;
        if (pending.has(m.clientId)) continue;
        pending.add(m.clientId);
        sent.set(send({ type: 'chat', clientId: m.clientId, text: m.text }), m);
      }
      this.inFlight = pending.size;
    };
    const onMessage = (message: ServerMessage): void => {
      if (message.type === 'welcome') {
        send({
          type: 'join',
          roomId,
          name: `sender ${this.index}`,
          media: { audio: false, video: false },
        });
      } else if (message.type === 'joined') {
        pump();
      } else if (message.type === 'chat-ack') {
        const m = message.rid === undefined ? undefined : sent.get(message.rid);
        if (!m || m.clientId !== message.clientId) {
          this.refusals.push(`ack for nothing sent: ${JSON.stringify(message)}`);
          return;
        }
        sent.delete(message.rid!);
        pending.delete(m.clientId);
        this.#unacked = this.#unacked.filter((u) => u !== m);
        const ack = { sender: this.index, clientId: m.clientId, seq: message.seq, life };
        this.acks.push(ack);
        onAck(ack);
        pump();
      } else if (message.type === 'error') {
        const m = message.rid === undefined ? undefined : sent.get(message.rid);
        if (m && message.code === 'RATE_LIMITED') {
          // The product's flood guard: that message was not taken; send it again shortly.
          sent.delete(message.rid!);
          pending.delete(m.clientId);
          setTimeout(pump, 100);
        } else {
          this.refusals.push(JSON.stringify(message));
          if (!m) ws.close();
          else {
            // Refused for good: counted as a failure; not sent again, so the run ends.
            pending.delete(m.clientId);
            this.#unacked = this.#unacked.filter((u) => u !== m);
            pump();
          }
        }
      }
    };
    return new Promise((resolve) => {
      ws.on('open', () => send({ type: 'hello', version: PROTOCOL_VERSION }));
      ws.on('message', (data: Buffer) => {
        const parsed = parseServerMessage(data.toString('utf8'));
        if (parsed.ok) onMessage(parsed.message);
        else this.refusals.push(`off-contract: ${data.toString('utf8').slice(0, 200)}`);
      });
      // A refused connection (the server is being killed) closes too.
      ws.on('error', () => undefined);
      ws.on('close', () => {
        for (const id of pending) this.inDoubt.add(id);
        this.inFlight = 0;
        resolve();
      });
    });
  }
}

async function createRoom(url: string): Promise<CreateRoomResponse> {
  const res = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ settings: { waitingRoom: false } }),
  });
  if (res.status !== 201) throw new Error(`create room: ${res.status}`);
  return (await res.json()) as CreateRoomResponse;
}

/** The room's whole history, through `chat-sync` from seq 0, page after page. */
async function history(url: string, roomId: string): Promise<ChatMessage[]> {
  const reader = await TestClient.ready(url);
  await reader.join(roomId, 'reader');
  const all: ChatMessage[] = [];
  for (;;) {
    const page = await reader.request({ type: 'chat-sync', since: all.at(-1)?.seq ?? 0 });
    if (page.type !== 'chat-history') throw new Error(`chat-sync: ${JSON.stringify(page)}`);
    all.push(...page.messages);
    if (!page.more) break;
  }
  await reader.close();
  return all;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-crash-'));
let server: ParleyProcess | undefined;
afterAll(async () => {
  await server?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`chat under SIGKILL (CRASH_SEED=${SEED})`, () => {
  it(
    `keeps every acknowledged message exactly once, in ack order, over ${KILLS + 1} kills`,
    async () => {
      const started = Date.now();
      const random = seeded(SEED);
      // Where the kills fall: after a random number of acks, spread over the whole run, and then a
      // random few milliseconds more so that each lands amid appends rather than between them.
      const killAfter = Array.from({ length: KILLS }, () =>
        Math.floor((0.05 + 0.9 * random()) * TOTAL),
      ).sort((a, b) => a - b);
      const killDelayMs = killAfter.map(() => Math.floor(random() * 20));
      const outgoing = Array.from({ length: CLIENTS }, (_, s) =>
        Array.from({ length: PER_CLIENT }, (_, i) => ({
          clientId: `crash-${SEED}-${s}-${i}`,
          text: `message ${i} of sender ${s} (${'x'.repeat(Math.floor(random() * 200))})`,
        })),
      );
      const sentText = new Map(outgoing.flat().map((m) => [m.clientId, m.text]));
      const senders = outgoing.map((messages, s) => new ChatSender(s, messages));
      const acks: Ack[] = [];
      let wanted: { count: number; reached: () => void } | undefined;
      const onAck = (a: Ack): void => {
        acks.push(a);
        if (wanted && acks.length >= wanted.count) wanted.reached();
      };
      const atKill: { acked: number; inFlight: number; storedUnacked: number }[] = [];
      let roomId = '';

      for (let life = 0; ; life++) {
        server = await startParleyProcess(dataDir);
        if (life === 0) roomId = (await createRoom(server.url)).id;
        else {
          // Right after each restart: everything acknowledged so far is there, with its seq.
          const kill = atKill[life - 1]!;
          const stored = await history(server.url, roomId);
          const seqOf = new Map<string, number>(stored.map((m) => [m.clientId, m.seq]));
          const lost = acks.filter((a) => seqOf.get(a.clientId) !== a.seq);
          expect(lost, `CRASH_SEED=${SEED}: acked, then lost in kill ${life}`).toEqual([]);
          kill.storedUnacked = stored.length - kill.acked;
        }
        const sessions = Promise.all(
          senders.filter((s) => !s.done).map((s) => s.session(server!.url, roomId, life, onAck)),
        );
        if (life < KILLS) {
          const count = killAfter[life]!;
          await Promise.race([
            new Promise<void>((reached) => (wanted = { count, reached })),
            sessions,
          ]);
          await new Promise((r) => setTimeout(r, killDelayMs[life]));
        } else {
          await sessions;
        }
        // In flight: sent on a connection and not yet acknowledged when the process died.
        const inFlight = senders.reduce((n, s) => n + s.inFlight, 0);
        await server.kill();
        await sessions;
        atKill.push({ acked: acks.length, inFlight, storedUnacked: 0 });
        if (life >= KILLS) break;
      }

      server = await startParleyProcess(dataDir);
      const stored = await history(server.url, roomId);
      await server.kill();
      server = undefined;

      const inDoubtIds = new Set(senders.flatMap((s) => [...s.inDoubt]));
      const storedUnacked = atKill.reduce((n, k) => n + k.storedUnacked, 0);
      console.log(
        `chat crash CRASH_SEED=${SEED}: ${TOTAL} messages from ${CLIENTS} clients, ` +
          `${atKill.length} SIGKILLs (acked / in flight at each: ` +
          `${atKill.map((k) => `${k.acked}/${k.inFlight}`).join(', ')}), ` +
          `${inDoubtIds.size} sent again after a kill (${storedUnacked} of them stored before their ack was lost), ` +
          `${stored.length} in history, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      );

      const seed = `CRASH_SEED=${SEED}`;
      expect(
        senders.flatMap((s) => s.refusals),
        seed,
      ).toEqual([]);
      expect(acks.length, `${seed}: every message acknowledged in the end`).toBe(TOTAL);
      // Kills that found nothing in flight would prove little.
      expect(atKill.slice(0, KILLS).filter((k) => k.inFlight > 0).length, seed).toBeGreaterThan(0);

      // Exactly once: gap-free seqs from 1, and no client id twice.
      expect(
        stored.map((m) => m.seq),
        `${seed}: seqs`,
      ).toEqual(stored.map((_, i) => i + 1));
      const byClientId = new Map<string, ChatMessage>(stored.map((m) => [m.clientId, m]));
      expect(byClientId.size, `${seed}: a message stored twice`).toBe(stored.length);
      // Every acknowledged message, with the seq and text it was acknowledged with.
      for (const a of acks) {
        const m = byClientId.get(a.clientId);
        expect(m, `${seed}: ${a.clientId} (acked as seq ${a.seq}) is missing`).toBeDefined();
        expect(m!.seq, `${seed}: ${a.clientId}`).toBe(a.seq);
        expect(m!.text, `${seed}: ${a.clientId}`).toBe(sentText.get(a.clientId));
      }
      // Nothing stored that nobody sent.
      const ackedIds = new Set(acks.map((a) => a.clientId));
      for (const m of stored) expect(ackedIds.has(m.clientId), `${seed}: ${m.clientId}`).toBe(true);
      // In ack order: each client's acks came in the order its messages stand in the history,
      // and whatever one process acknowledged stands before what the next one did.
      for (const s of senders) {
        const seqs = s.acks.map((a) => a.seq);
        expect(seqs, `${seed}: sender ${s.index}`).toEqual([...seqs].sort((x, y) => x - y));
      }
      // (A message in doubt, stored just before a kill took its ack, is acked again by the next
      // process with the seq it was stored under: the one exception.)
      let before = 0;
      for (let life = 0; life <= KILLS; life++) {
        const ofLife = acks.filter((a) => a.life === life && !inDoubtIds.has(a.clientId));
        for (const a of ofLife) expect(a.seq, `${seed}: ${a.clientId}`).toBeGreaterThan(before);
        before = Math.max(before, ...acks.filter((a) => a.life === life).map((a) => a.seq));
      }
    },
    TIMEOUT_MS,
  );
});
