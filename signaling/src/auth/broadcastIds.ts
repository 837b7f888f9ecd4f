import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { BroadcastIdSchema, RoomIdSchema } from '@parley/protocol';
import type { BroadcastId, RoomId } from '@parley/protocol';

/**
 * A room's broadcast id: its 16-byte room id encrypted as one AES-256 block under a key derived
 * from the server's secret (issue 14). A watch link then never reveals the join link, and:
 *
 * - nothing is stored: no migration, no table to keep in step with rooms, and the id is the
 *   same across restarts, on every node of a cluster and for every broadcast of the room, so a
 *   link handed out before the room goes on air keeps working;
 * - any node turns a broadcast id back into the room id without a round trip (Redis or the
 *   database), so a node that does not hold the room forwards HLS and viewer requests to the
 *   owner exactly as it does for room ids, and nothing is lost when Redis restarts empty.
 *
 * One block of a block cipher is a pseudorandom permutation: without the key, a broadcast id
 * tells nothing about the room id and cannot be made from one. Ids are 22 characters of
 * base64url like room ids; any such string decrypts to some room id, which for a made-up one
 * is a room that does not exist.
 */
export class BroadcastIds {
  readonly #key: Buffer;

  /** `secret`: the viewer-token key (itself derived from the JWT key). */
  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('parley broadcast id v1').digest();
  }

  of(roomId: RoomId): BroadcastId {
    const cipher = createCipheriv('aes-256-ecb', this.#key, null).setAutoPadding(false);
    const block = Buffer.concat([cipher.update(Buffer.from(roomId, 'base64url')), cipher.final()]);
    return block.toString('base64url') as BroadcastId;
  }

  /** The room a broadcast id names; undefined for a string that is not a broadcast id. */
  roomOf(broadcastId: string): RoomId | undefined {
    if (!BroadcastIdSchema.safeParse(broadcastId).success) return undefined;
    const bytes = Buffer.from(broadcastId, 'base64url');
    // 22 base64url characters carry 132 bits: only the canonical spelling of 16 bytes counts.
    if (bytes.length !== 16 || bytes.toString('base64url') !== broadcastId) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.#key, null).setAutoPadding(false);
    const roomId = Buffer.concat([decipher.update(bytes), decipher.final()]).toString('base64url');
    const parsed = RoomIdSchema.safeParse(roomId);
    return parsed.success ? parsed.data : undefined;
  }
}
