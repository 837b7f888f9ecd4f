import { z } from 'zod';
import { RequestIdSchema } from './ids.ts';
import { LIMITS } from './limits.ts';

/**
 * Polls in a meeting (issue 17). Hosts and co-hosts launch one poll at a time; everyone
 * answers it once. A vote is the person's (their account, else the guest id the server issued
 * to their browser), so a reload, a second tab or a resumed socket cannot vote twice. Polls
 * and their votes are kept with the room, after the meeting ends too.
 */

const rid = { rid: RequestIdSchema.optional() };

/** Poll ids are minted by the server; clients only echo them back. */
export const PollIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,32}$/)
  .brand<'PollId'>();
export type PollId = z.infer<typeof PollIdSchema>;

const OptionTextSchema = z.string().trim().min(1).max(LIMITS.POLL_OPTION_MAX);

/** A poll's options: 2 to POLL_OPTIONS_MAX, no two alike (ignoring case). */
const OptionsSchema = z
  .array(OptionTextSchema)
  .min(LIMITS.POLL_OPTIONS_MIN)
  .max(LIMITS.POLL_OPTIONS_MAX)
  .refine(
    (options) => new Set(options.map((o) => o.toLowerCase())).size === options.length,
    'two options are the same',
  );

/** A poll's results: votes per option (in the options' order) and how many people voted. */
export const PollResultsSchema = z.strictObject({
  counts: z.array(z.number().int().nonnegative()),
  voters: z.number().int().nonnegative(),
  /**
   * Named polls only, and only to hosts and co-hosts: who voted what (option indexes), the
   * earliest vote first. Anonymous polls never carry names, to anyone.
   */
  named: z
    .array(z.strictObject({ name: z.string(), choices: z.array(z.number().int()) }))
    .optional(),
});
export type PollResults = z.infer<typeof PollResultsSchema>;

/** A poll as one member sees it. */
export const PollViewSchema = z.strictObject({
  pollId: PollIdSchema,
  question: z.string(),
  options: z.array(z.string()),
  /** Several options may be picked (otherwise exactly one). */
  multiple: z.boolean(),
  /** Nobody, hosts included, learns who voted what. */
  anonymous: z.boolean(),
  /** A vote may be replaced while the poll is open. */
  changeable: z.boolean(),
  state: z.enum(['open', 'ended']),
  /** A host shared the results with everyone. */
  shared: z.boolean(),
  launchedAt: z.number(),
  /** The options this member's person voted for (option indexes); null: not voted. */
  myChoices: z.array(z.number().int()).nullable(),
  /** To hosts and co-hosts always; to everyone once shared. */
  results: PollResultsSchema.optional(),
});
export type PollView = z.infer<typeof PollViewSchema>;

// ---------- client -> server ----------

/**
 * Hosts and co-hosts: create a poll and open it at once. One poll is open at a time
 * (POLL_ALREADY_OPEN while another is).
 */
export const PollLaunchSchema = z.strictObject({
  type: z.literal('poll-launch'),
  ...rid,
  question: z.string().trim().min(1).max(LIMITS.POLL_QUESTION_MAX),
  options: OptionsSchema,
  multiple: z.boolean(),
  anonymous: z.boolean(),
  changeable: z.boolean(),
});
/**
 * Vote in the open poll: the indexes of the chosen options (exactly one unless the poll is
 * `multiple`; the same index twice counts once).
 */
export const PollVoteSchema = z.strictObject({
  type: z.literal('poll-vote'),
  ...rid,
  pollId: PollIdSchema,
  choices: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(LIMITS.POLL_OPTIONS_MAX - 1),
    )
    .min(1)
    .max(LIMITS.POLL_OPTIONS_MAX),
});
/** Hosts and co-hosts: close the open poll; no more votes. */
export const PollEndSchema = z.strictObject({
  type: z.literal('poll-end'),
  ...rid,
  pollId: PollIdSchema,
});
/** Hosts and co-hosts: show the current poll's results to everyone (from now on, live). */
export const PollShareSchema = z.strictObject({
  type: z.literal('poll-share'),
  ...rid,
  pollId: PollIdSchema,
});

export const POLL_CLIENT_SCHEMAS = [
  PollLaunchSchema,
  PollVoteSchema,
  PollEndSchema,
  PollShareSchema,
] as const;

// ---------- server -> client ----------

/**
 * To each member, as they may see it, when the current poll changes: launched, ended, shared,
 * their own vote, and (to those who see results) each vote.
 */
export const PollSchema = z.strictObject({
  type: z.literal('poll'),
  poll: PollViewSchema,
});

export const POLL_SERVER_SCHEMAS = [PollSchema] as const;
