import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { InboundMessageRequest, InboundMessageResponse } from '../../../shared/api/index.js';
import { type HubContext } from '../../context.js';
import { receiveInbound } from '../../tickets/inbound.js';
import { bearer, guardedErrors } from '../schemas.js';

export function inboundRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/inbound/messages',
      {
        config: { auth: 'integration' },
        schema: {
          tags: ['inbound'],
          summary: 'A customer message from a channel (integration token)',
          description:
            '201 when stored; 200 with duplicate=true when the channel already delivered this externalId.',
          security: bearer,
          body: InboundMessageRequest,
          response: { 200: InboundMessageResponse, 201: InboundMessageResponse, ...guardedErrors },
        },
      },
      async (req, reply) => {
        const response = await receiveInbound(ctx, req.body);
        return reply.status(response.duplicate ? 200 : 201).send(response);
      },
    );
  };
}
