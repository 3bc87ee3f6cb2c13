import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SetStateRequest } from '../../../shared/api/index.js';
import { AgentStatus, Work } from '../../../shared/domain/index.js';
import { agentStatus } from '../../agents/rows.js';
import { getAgentRow, setState } from '../../agents/state.js';
import { listWork } from '../../agents/work.js';
import { ANY_ROLE } from '../../auth/principal.js';
import { type HubContext } from '../../context.js';
import { HubError } from '../../errors.js';
import { agentOf } from '../guard.js';
import { bearer, guardedErrors, MeResponse } from '../schemas.js';

export function meRoutes(ctx: HubContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/me',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['me'],
          summary: 'The signed-in agent and their state',
          security: bearer,
          response: { 200: MeResponse, ...guardedErrors },
        },
      },
      async (req) => {
        const { agent } = agentOf(req);
        const row = await getAgentRow(ctx.db.query, agent.id);
        if (!row) throw new HubError('unauthorized', 'agent no longer exists');
        return { agent, status: agentStatus(row) };
      },
    );

    app.put(
      '/me/state',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['me'],
          summary:
            'Set my state: available, paused (with reason) or offline; afterWork = next state',
          security: bearer,
          body: SetStateRequest,
          response: { 200: AgentStatus, ...guardedErrors },
        },
      },
      async (req) => setState(ctx, agentOf(req).agent.id, req.body),
    );

    app.get(
      '/me/work',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['me'],
          summary: 'My pending offer (at most one) and my open assigned tickets',
          security: bearer,
          response: { 200: Work, ...guardedErrors },
        },
      },
      async (req) => listWork(ctx.db.query, agentOf(req).agent.id),
    );
  };
}
