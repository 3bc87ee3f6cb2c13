import { z } from 'zod';
import { ApiErrorBody, IdempotencyKey } from '../../shared/api/index.js';
import { AgentProfile, AgentStatus } from '../../shared/domain/index.js';

/** Response and parameter schemas that only the hub's routes use (the rest live in src/shared). */
export const MeResponse = z.object({ agent: AgentProfile, status: AgentStatus });

export const HealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  /** With telephony: whether this hub is the one holding Kamailio's evapi socket (issue 5). */
  telephony: z
    .object({
      hubId: z.string(),
      evapiOwner: z.boolean(),
      kamailioConnected: z.boolean(),
      liveCalls: z.number().int(),
      heldCommands: z.number().int(),
      /** Messages recovered from standbys after this hub's own evapi blips (owner only). */
      gapRecovered: z.number().int(),
    })
    .optional(),
});

export const CreateIntegrationTokenRequest = z
  .object({ name: z.string().trim().min(1).max(100) })
  .strict();
export const CreateIntegrationTokenResponse = z.object({
  id: z.string().uuid(),
  name: z.string(),
  /** Shown once; the hub keeps only its hash. */
  token: z.string(),
});

export const TicketParams = z.object({ id: z.string().uuid() });

/** Other headers pass through untouched (validation must not strip Authorization). */
export const ReplyHeaders = z.looseObject({
  'idempotency-key': IdempotencyKey,
  'if-match': z.string().optional(),
});

export const TicketReadHeaders = z.looseObject({ 'if-none-match': z.string().optional() });

/** Error responses a guarded route may give, for the OpenAPI document. */
export const guardedErrors = {
  400: ApiErrorBody,
  401: ApiErrorBody,
  403: ApiErrorBody,
} as const;

export const bearer = [{ bearer: [] }];
