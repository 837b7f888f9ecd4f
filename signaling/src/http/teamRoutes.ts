import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { LIMITS, RoomIdSchema } from '@parley/protocol';
import type { CreateTeamResponse } from '@parley/protocol';
import { apiError, json, methodNotAllowed, readJsonBody } from './httpUtil.ts';
import type { HttpDeps } from './routes.ts';

/** The longest floor a team may allow, in seconds (ten minutes). */
const MAX_TALK_SECONDS_MAX = 600;

const CreateTeamBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.TEAM_NAME_MAX),
  requireApproval: z.boolean().optional(),
  queue: z.boolean().optional(),
  maxTalkSeconds: z.number().int().min(1).max(MAX_TALK_SECONDS_MAX).optional(),
});

/**
 * `POST /api/teams` (a new walkie-talkie team) and `GET /api/teams/<id>` (its name, for the
 * team page before joining). True when the path was one of them.
 */
export async function handleTeamRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  path: string,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (path === '/api/teams') {
    if (method !== 'POST') methodNotAllowed(res, 'POST');
    else await createTeam(req, res, deps);
    return true;
  }
  const match = /^\/api\/teams\/([^/]+)$/.exec(path);
  if (!match) return false;
  if (method !== 'GET') {
    methodNotAllowed(res, 'GET');
    return true;
  }
  const id = RoomIdSchema.safeParse(match[1]);
  const name = id.success ? await deps.rooms.teamName(id.data) : undefined;
  if (name === undefined || !id.success) apiError(res, 404, 'ROOM_NOT_FOUND', 'no such team');
  else json(res, 200, { id: id.data, name });
  return true;
}

/** Counted with room creations (the same hourly limit per address): a team is a room. */
async function createTeam(req: IncomingMessage, res: ServerResponse, deps: HttpDeps) {
  const owner = await deps.auth.routes.optionalUser(req);
  const hint = `body: {name (1-${LIMITS.TEAM_NAME_MAX} characters), requireApproval?, queue?, maxTalkSeconds? (1-${MAX_TALK_SECONDS_MAX})}`;
  const body = await readJsonBody(req, res, CreateTeamBodySchema, hint);
  if (!body) return;
  const { name, ...chosen } = body;
  // Settings left out take the defaults (an explicit undefined must not override them).
  const settings = Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== undefined));
  deps.rooms.countCreation(deps.addressOf(req));
  const created: CreateTeamResponse = await deps.rooms.createTeam({
    name,
    ownerId: owner?.id,
    settings,
  });
  json(res, 201, created);
}
