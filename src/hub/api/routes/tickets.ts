import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBody,
  CloseTicketRequest,
  ReplyRequest,
  ReplyResponse,
} from '../../../shared/api/index.js';
import { TicketDetail, TicketSummary } from '../../../shared/domain/index.js';
import { ANY_ROLE } from '../../auth/principal.js';
import { type HubContext } from '../../context.js';
import { HubError } from '../../errors.js';
import { closeTicket } from '../../tickets/close.js';
import { readTicket } from '../../tickets/read.js';
import { postReply } from '../../tickets/replies.js';
import { agentOf } from '../guard.js';
import {
  bearer,
  guardedErrors,
  ReplyHeaders,
  TicketParams,
  TicketReadHeaders,
} from '../schemas.js';

const notFound = { 404: ApiErrorBody };

/** `"7"`, `W/"7"` or `7` → 7; anything else is a bad request. */
function parseVersionTag(tag: string): number {
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(tag.trim());
  if (!m) throw new HubError('bad_request', 'If-Match must be a ticket version ETag such as "3"');
  return Number(m[1]);
}

export function ticketRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/tickets/:id',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['tickets'],
          summary: 'A ticket with its customer and messages (ETag = ticket version)',
          security: bearer,
          params: TicketParams,
          headers: TicketReadHeaders,
          response: { 200: TicketDetail, 304: z.undefined(), ...guardedErrors, ...notFound },
        },
      },
      async (req, reply) => {
        const detail = await readTicket(ctx.db.query, agentOf(req).agent, req.params.id);
        const etag = `"${detail.ticket.version}"`;
        void reply.header('etag', etag);
        if (req.headers['if-none-match'] === etag) return reply.status(304).send();
        return detail;
      },
    );

    app.post(
      '/tickets/:id/replies',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['tickets'],
          summary: 'Reply to the customer, exactly once per Idempotency-Key',
          description:
            'First use of a key: 201 with replayed=false. Same key and body again: 200 with the ' +
            'stored reply and replayed=true. Same key, different body: 422 idempotency_key_reused. ' +
            'Optional If-Match: "<version>" answers 412 with error.details.reason reassigned | ' +
            'closed | newer_customer_message when the ticket changed in one of those ways since ' +
            'that version (other changes, e.g. your own earlier reply, do not refuse). Without ' +
            'If-Match a closed ticket answers 409 with details.reason closed.',
          security: bearer,
          params: TicketParams,
          headers: ReplyHeaders,
          body: ReplyRequest,
          response: {
            200: ReplyResponse,
            201: ReplyResponse,
            ...guardedErrors,
            ...notFound,
            409: ApiErrorBody,
            412: ApiErrorBody,
            422: ApiErrorBody,
          },
        },
      },
      async (req, reply) => {
        const ifMatch = req.headers['if-match'];
        const outcome = await postReply(ctx, agentOf(req).agent, {
          ticketId: req.params.id,
          idempotencyKey: req.headers['idempotency-key'],
          body: req.body,
          ifMatchVersion: ifMatch === undefined ? undefined : parseVersionTag(ifMatch),
        });
        return reply.status(outcome.status).send(outcome.body);
      },
    );

    app.post(
      '/tickets/:id/close',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['tickets'],
          summary: "Close the ticket: completes its task and frees the agent's capacity",
          description:
            'Optional body {topic}. When the assigned task is on a queue that requires a topic and ' +
            'has no wrap-up time, the topic is required here: 422 topic_required (details.topics) ' +
            'without it, unless the task was completed with a topic first.',
          security: bearer,
          params: TicketParams,
          body: CloseTicketRequest.nullish(),
          response: { 200: TicketSummary, 422: ApiErrorBody, ...guardedErrors, ...notFound },
        },
      },
      async (req) =>
        closeTicket(ctx, agentOf(req).agent, req.params.id, { topic: req.body?.topic ?? null }),
    );
  };
}
