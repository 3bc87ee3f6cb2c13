import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Queue } from '../../../shared/domain/index.js';
import { ADMIN, ANY_ROLE } from '../../auth/principal.js';
import { createIntegrationToken } from '../../auth/sessions.js';
import { type HubContext } from '../../context.js';
import { type CallCenter } from '../../telephony/call-center.js';
import { listQueues } from '../../routing/queues.js';
import { HUB_VERSION } from '../../version.js';
import {
  bearer,
  CreateIntegrationTokenRequest,
  CreateIntegrationTokenResponse,
  guardedErrors,
  HealthResponse,
} from '../schemas.js';

export function miscRoutes(
  ctx: HubContext,
  calls: CallCenter | null = null,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { auth: 'public' },
        schema: { tags: ['hub'], summary: 'Liveness', response: { 200: HealthResponse } },
      },
      async () => ({
        ok: true as const,
        version: HUB_VERSION,
        ...(calls?.config.evapi ? { telephony: calls.status } : {}),
      }),
    );

    app.get(
      '/queues',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['queues'],
          summary: 'All queues',
          security: bearer,
          response: { 200: z.array(Queue), ...guardedErrors },
        },
      },
      async () => listQueues(ctx.db.query),
    );

    app.post(
      '/admin/integration-tokens',
      {
        config: { auth: ADMIN },
        schema: {
          tags: ['admin'],
          summary: 'Create an integration token for an inbound channel (shown once)',
          security: bearer,
          body: CreateIntegrationTokenRequest,
          response: { 201: CreateIntegrationTokenResponse, ...guardedErrors },
        },
      },
      async (req, reply) => {
        const created = await ctx.tx((q) => createIntegrationToken(q, req.body.name));
        return reply.status(201).send(created);
      },
    );
  };
}
