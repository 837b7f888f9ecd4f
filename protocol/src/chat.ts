import { z } from 'zod';
import { ClientMessageIdSchema, PeerIdSchema, RequestIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';

// Chat: a message is sent with a client id, acked with the room's sequence number, fanned
// out, and synced after a reconnect. Part of messages.ts, which re-exports it.

export const ChatMessageSchema = z.strictObject({
  seq: z.number().int().positive(),
  clientId: ClientMessageIdSchema,
  from: PeerIdSchema,
  name: z.string(),
  text: z.string(),
  /** Server time, ms since the epoch. */
  ts: z.number(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

// ---------- client -> server ----------

const rid = { rid: RequestIdSchema.optional() };

export const ChatSendSchema = z.strictObject({
  type: z.literal('chat'),
  ...rid,
  clientId: ClientMessageIdSchema,
  text: z
    .string()
    .max(LIMITS.CHAT_TEXT_MAX)
    .refine((t) => t.trim().length > 0, { message: 'chat text is empty' }),
});
export const ChatSyncSchema = z.strictObject({
  type: z.literal('chat-sync'),
  ...rid,
  /** The highest seq the client has; the reply carries what came after it. */
  since: z.number().int().nonnegative(),
});

// ---------- server -> client ----------

const replyRid = { rid: RequestIdSchema.optional() };

export const ChatAckSchema = z.strictObject({
  type: z.literal('chat-ack'),
  ...replyRid,
  clientId: ClientMessageIdSchema,
  seq: z.number().int().positive(),
  ts: z.number(),
});
export const ChatBroadcastSchema = z.strictObject({
  type: z.literal('chat'),
  message: ChatMessageSchema,
});
export const ChatHistorySchema = z.strictObject({
  type: z.literal('chat-history'),
  ...replyRid,
  messages: z.array(ChatMessageSchema),
  /** True when more messages follow: ask again with the last seq. */
  more: z.boolean(),
});
