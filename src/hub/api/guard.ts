import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { hasAnyRole, type Principal, type RouteAuth } from '../auth/principal.js';
import { bearerToken } from '../auth/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route must say (see installGuard). */
    auth?: RouteAuth | 'stream';
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * The declarative guard: each route states `config.auth`, one hook enforces it before anything
 * else runs. A route without a declaration fails at startup, so nothing is public by accident.
 * 'stream' routes authenticate in their handler (a WebSocket must get a close code, not a 401).
 */
export function installGuard(app: FastifyInstance, ctx: HubContext): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    if (route.config?.auth === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no config.auth`);
    }
  });

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const auth = req.routeOptions.config.auth;
    if (auth === 'public' || auth === 'stream') return;
    if (auth === undefined) throw new HubError('forbidden', 'route has no access rule');
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new HubError('unauthorized', 'missing bearer token');
    const principal = await ctx.principals.resolve(ctx.db.query, token);
    if (!principal) throw new HubError('unauthorized', 'invalid or expired token');
    if (auth === 'integration') {
      if (principal.kind !== 'integration') {
        throw new HubError('forbidden', 'this endpoint takes an integration token');
      }
    } else if (principal.kind !== 'agent' || !hasAnyRole(principal.agent, auth)) {
      throw new HubError('forbidden', 'your role does not allow this');
    }
    req.principal = principal;
  });
}

/** The signed-in agent of a route guarded by roles. */
export function agentOf(req: FastifyRequest): Extract<Principal, { kind: 'agent' }> {
  const p = req.principal;
  if (p?.kind !== 'agent') throw new HubError('unauthorized', 'not signed in');
  return p;
}
