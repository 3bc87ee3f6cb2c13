import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, LoginRequest, LoginResponse } from '../../../shared/api/index.js';
import { ANY_ROLE } from '../../auth/principal.js';
import { login, logout } from '../../auth/login.js';
import { type HubContext } from '../../context.js';
import { agentOf } from '../guard.js';
import { bearer, guardedErrors } from '../schemas.js';

export function authRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/login',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with login and password; returns a bearer token',
          body: LoginRequest,
          response: { 200: LoginResponse, 400: ApiErrorBody, 401: ApiErrorBody },
        },
      },
      async (req) => login(ctx, req.body),
    );

    app.post(
      '/auth/logout',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['auth'],
          summary: 'Revoke the current token (the agent goes offline if it was their last session)',
          security: bearer,
          response: { 204: z.undefined(), ...guardedErrors },
        },
      },
      async (req, reply) => {
        const me = agentOf(req);
        await logout(ctx, me.agent.id, me.tokenHash);
        return reply.status(204).send();
      },
    );
  };
}
