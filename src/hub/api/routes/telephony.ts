import { timingSafeEqual } from 'node:crypto';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody } from '../../../shared/api/index.js';
import { CallRecord, SipAuthResponse, SipSettings } from '../../../shared/api/telephony.js';
import { ANY_ROLE, STAFF } from '../../auth/principal.js';
import { type HubContext } from '../../context.js';
import { HubError } from '../../errors.js';
import { listCalls, type CallCenter } from '../../telephony/call-center.js';
import { ensureSipAccount, ha1ForUser, sipSettings } from '../../telephony/sip-accounts.js';
import { agentOf } from '../guard.js';
import { bearer, guardedErrors } from '../schemas.js';

function sameKey(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Telephony: the console's SIP settings, the HA1 lookup Kamailio's digest auth uses (telephony
 * key, not a session: Kamailio is not an agent), and the call log for supervisors.
 */
export function telephonyRoutes(ctx: HubContext, calls: CallCenter | null): FastifyPluginAsyncZod {
  const cfg = calls?.config ?? null;
  return async (app) => {
    app.get(
      '/me/sip',
      {
        config: { auth: ANY_ROLE },
        schema: {
          tags: ['telephony'],
          summary:
            "My SIP account (created on first use): the console's softphone registers with it",
          description:
            'The HA1 authenticates the console (sip.js authorizationHa1); the secret itself is never stored. ' +
            '404 not_found when this hub has no telephony.',
          security: bearer,
          response: { 200: SipSettings, 404: ApiErrorBody, ...guardedErrors },
        },
      },
      async (req) => {
        if (!cfg) throw new HubError('not_found', 'this hub has no telephony configured');
        const { agent } = agentOf(req);
        const row = await ctx.tx((q) => ensureSipAccount(q, agent, cfg.domain));
        return sipSettings(row, cfg.wsUrl, agent.name);
      },
    );

    app.get(
      '/telephony/sip-auth',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['telephony'],
          summary: "Kamailio: a SIP user's HA1 for digest auth (telephony key required)",
          querystring: z.object({ user: z.string().min(1).max(64), key: z.string().optional() }),
          headers: z.looseObject({ 'x-telephony-key': z.string().optional() }),
          response: { 200: SipAuthResponse, 401: ApiErrorBody, 404: ApiErrorBody },
        },
      },
      async (req) => {
        const key = req.headers['x-telephony-key'] ?? req.query.key;
        if (!cfg || !sameKey(key, cfg.key))
          throw new HubError('unauthorized', 'telephony key required');
        const ha1 = await ha1ForUser(ctx.db.query, req.query.user, cfg.domain);
        if (!ha1) throw new HubError('not_found', 'no such SIP user');
        return { ha1 };
      },
    );

    app.get(
      '/telephony/calls',
      {
        config: { auth: STAFF },
        schema: {
          tags: ['telephony'],
          summary: 'Recent queue calls, newest first (supervisors)',
          security: bearer,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
          response: { 200: z.array(CallRecord), ...guardedErrors },
        },
      },
      async (req) => listCalls(ctx.db.query, req.query.limit),
    );
  };
}
