import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CustomerSearchResponse } from '../../../shared/api/telephony.js';
import { ANY_ROLE } from '../../auth/principal.js';
import { type HubContext } from '../../context.js';
import { customersByPhone } from '../../customers/search.js';
import { bearer, guardedErrors } from '../schemas.js';

/** Customer lookup for the screen pop (issue 5); orders and onboarding come with later issues. */
export function customerRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/customers',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['customers'],
          summary: 'Customers with this phone number (0, 1 or several) and their open tickets',
          security: bearer,
          querystring: z.object({ phone: z.string().trim().min(3).max(40) }),
          response: { 200: CustomerSearchResponse, ...guardedErrors },
        },
      },
      async (req) => ({
        phone: req.query.phone,
        matches: await customersByPhone(ctx.db.query, req.query.phone),
      }),
    );
  };
}
