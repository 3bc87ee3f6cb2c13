import { z } from 'zod';
import { SelectableAgentState } from '../domain/agent.js';

export const SetStateRequest = z
  .object({
    state: SelectableAgentState,
    reason: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .refine((r) => r.state === 'paused' || r.reason === undefined, {
    message: 'a reason is only allowed with the paused state',
    path: ['reason'],
  });
export type SetStateRequest = z.infer<typeof SetStateRequest>;
