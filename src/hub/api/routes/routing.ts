import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AcceptOfferResponse,
  AgentOverview,
  AgentRoutingUpdate,
  ApiErrorBody,
  CompleteTaskRequest,
  CompleteTaskResponse,
  ExtendWrapUpRequest,
  HeartbeatResponse,
  NextResponse,
  PauseReasonInput,
  QueueSettings,
  ReassignTaskRequest,
  RejectOfferRequest,
  SetStateRequest,
} from '../../../shared/api/index.js';
import { AgentStatus, PauseReason, Queue, Task } from '../../../shared/domain/index.js';
import {
  listAgents,
  listPauseReasons,
  updateAgentRouting,
  upsertPauseReason,
} from '../../agents/admin.js';
import { heartbeat } from '../../agents/presence.js';
import { setState } from '../../agents/state.js';
import { ADMIN, ANY_ROLE, STAFF } from '../../auth/principal.js';
import { type HubContext } from '../../context.js';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../db/db.js';
import { HubError } from '../../errors.js';
import {
  accept,
  complete,
  reassign,
  reject,
  revoke,
  serveNext,
  wrapUpEnd,
  wrapUpExtend,
} from '../../routing/actions.js';
import { taskDto, type TaskRow } from '../../routing/offers.js';
import { createQueue, updateQueue } from '../../routing/queues.js';
import { agentOf } from '../guard.js';
import { bearer, guardedErrors } from '../schemas.js';

const Id = z.object({ id: z.string().uuid() });
const errors = { ...guardedErrors, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody };

/** A duplicate queue name is a conflict, not an internal error. */
async function uniqueName<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION)
      throw new HubError('conflict', 'a queue with that name exists');
    throw err;
  }
}

/** Offers, serve-next, task completion, wrap-up, heartbeat, supervisor and admin routing actions. */
export function routingRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/offers/:id/accept',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary: 'Accept my pending offer: the task and ticket become mine',
          description: '409 offer_not_pending when it was already answered, timed out or revoked.',
          security: bearer,
          params: Id,
          response: { 200: AcceptOfferResponse, ...errors },
        },
      },
      async (req) => accept(ctx, agentOf(req).agent.id, req.params.id),
    );

    app.post(
      '/offers/:id/reject',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary:
            'Reject my pending offer: the task returns to the head of its queue, I am skipped for it',
          security: bearer,
          params: Id,
          body: RejectOfferRequest.nullish(),
          response: { 200: AgentStatus, ...errors },
        },
      },
      async (req) => reject(ctx, agentOf(req).agent.id, req.params.id, req.body?.reason ?? null),
    );

    app.post(
      '/offers/:id/revoke',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: 'Revoke a pending offer (the task returns to the head of its queue)',
          security: bearer,
          params: Id,
          response: { 204: z.undefined(), ...errors },
        },
      },
      async (req, reply) => {
        await revoke(ctx, agentOf(req).agent.id, req.params.id);
        return reply.status(204).send();
      },
    );

    app.post(
      '/me/next',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary:
            'Serve next: the task push routing would give me now, assigned at once (never a choice)',
          description:
            'Works for pull-mode and push-mode queues; all null when nothing fits. 409 invalid_state unless available.',
          security: bearer,
          response: { 200: NextResponse, ...errors },
        },
      },
      async (req) => serveNext(ctx, agentOf(req).agent.id),
    );

    app.post(
      '/me/heartbeat',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary: 'Presence heartbeat; send every intervalMs',
          description:
            'The first heartbeat starts presence supervision. Missing for disconnectAfterMs → ' +
            'disconnected (offers revoked); for returnWorkAfterMs more → tickets return to their queues.',
          security: bearer,
          response: { 200: HeartbeatResponse, ...guardedErrors },
        },
      },
      async (req) => heartbeat(ctx, agentOf(req).agent.id),
    );

    app.post(
      '/me/wrap-up/end',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary: 'Finish wrap-up early (topic required when the queue says so)',
          security: bearer,
          body: CompleteTaskRequest.nullish(),
          response: { 200: AgentStatus, ...errors },
        },
      },
      async (req) => wrapUpEnd(ctx, agentOf(req).agent.id, req.body?.topic ?? null, 'agent', null),
    );

    app.post(
      '/me/wrap-up/extend',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary: "Extend wrap-up once (default: by the queue's wrap-up time)",
          security: bearer,
          body: ExtendWrapUpRequest.nullish(),
          response: { 200: AgentStatus, ...errors },
        },
      },
      async (req) => wrapUpExtend(ctx, agentOf(req).agent.id, req.body?.seconds),
    );

    app.post(
      '/tasks/:id/complete',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary:
            'Complete my assigned task (with topic); enters wrap-up when the queue has wrap-up time',
          description:
            '422 topic_required when the queue needs a topic and has no wrap-up to give it in.',
          security: bearer,
          params: Id,
          body: CompleteTaskRequest.nullish(),
          response: { 200: CompleteTaskResponse, ...errors },
        },
      },
      async (req) => complete(ctx, agentOf(req).agent, req.params.id, req.body?.topic ?? null),
    );

    app.get(
      '/tasks/:id',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: 'A task',
          security: bearer,
          params: Id,
          response: { 200: Task, ...errors },
        },
      },
      async (req) => {
        const rows = await ctx.db.query<TaskRow>('select * from tasks where id = $1', [
          req.params.id,
        ]);
        if (!rows[0]) throw new HubError('not_found', 'task not found');
        return taskDto(rows[0]);
      },
    );

    app.post(
      '/tasks/:id/reassign',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: 'Move a task to an agent (assigned at once) or to another queue',
          security: bearer,
          params: Id,
          body: ReassignTaskRequest,
          response: { 204: z.undefined(), ...errors },
        },
      },
      async (req, reply) => {
        await reassign(ctx, agentOf(req).agent.id, req.params.id, req.body);
        return reply.status(204).send();
      },
    );

    app.get(
      '/agents',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: 'Every agent with state, routing profile and load',
          security: bearer,
          response: { 200: z.array(AgentOverview), ...guardedErrors },
        },
      },
      async () => listAgents(ctx.db.query),
    );

    app.put(
      '/agents/:id/state',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: "Change an agent's state (as the agent could, with afterWork for a next state)",
          security: bearer,
          params: Id,
          body: SetStateRequest,
          response: { 200: AgentStatus, ...errors },
        },
      },
      async (req) => setState(ctx, req.params.id, req.body, 'supervisor'),
    );

    app.post(
      '/agents/:id/wrap-up/end',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['supervisor'],
          summary: "End an agent's wrap-up",
          security: bearer,
          params: Id,
          body: CompleteTaskRequest.nullish(),
          response: { 200: AgentStatus, ...errors },
        },
      },
      async (req) =>
        wrapUpEnd(ctx, req.params.id, req.body?.topic ?? null, 'supervisor', agentOf(req).agent.id),
    );

    app.get(
      '/pause-reasons',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['routing'],
          summary: 'Pause reasons (system ones are set by the hub only)',
          security: bearer,
          response: { 200: z.array(PauseReason), ...guardedErrors },
        },
      },
      async () => listPauseReasons(ctx.db.query),
    );

    app.put(
      '/admin/pause-reasons/:code',
      {
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          summary: 'Create or change a pause reason',
          security: bearer,
          params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) }),
          body: PauseReasonInput.omit({ code: true }),
          response: { 200: PauseReason, ...guardedErrors },
        },
      },
      async (req) => ctx.tx((q) => upsertPauseReason(q, { ...req.body, code: req.params.code })),
    );

    app.post(
      '/admin/queues',
      {
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          summary: 'Create a queue (name and channels required)',
          security: bearer,
          body: QueueSettings.refine((s) => s.name !== undefined && s.channels !== undefined, {
            message: 'name and channels are required',
          }),
          response: { 201: Queue, ...errors },
        },
      },
      async (req, reply) => {
        const body = req.body as QueueSettings & { name: string; channels: Queue['channels'] };
        const exists = await ctx.db.query('select 1 from queues where name = $1', [body.name]);
        if (exists.length > 0) throw new HubError('conflict', 'a queue with that name exists');
        const created = await uniqueName(() => ctx.tx((q) => createQueue(q, body)));
        return reply.status(201).send(created);
      },
    );

    app.patch(
      '/admin/queues/:id',
      {
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          summary: "Change a queue's settings",
          security: bearer,
          params: Id,
          body: QueueSettings,
          response: { 200: Queue, ...errors },
        },
      },
      async (req) => {
        const updated = await uniqueName(() =>
          ctx.tx((q) => updateQueue(q, req.params.id, req.body)),
        );
        await ctx.router.run();
        return updated;
      },
    );

    app.patch(
      '/admin/agents/:id/routing',
      {
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          summary:
            "Change an agent's languages, skills, queue memberships, capacity, voice exclusivity",
          security: bearer,
          params: Id,
          body: AgentRoutingUpdate,
          response: { 200: AgentOverview, ...errors },
        },
      },
      async (req) => {
        const updated = await ctx.tx((q) => updateAgentRouting(q, req.params.id, req.body));
        await ctx.router.run();
        return updated;
      },
    );
  };
}
