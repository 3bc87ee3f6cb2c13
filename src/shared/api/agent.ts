import { z } from 'zod';
import { SelectableAgentState } from '../domain/agent.js';

export const SetStateRequest = z
  .object({
    state: SelectableAgentState,
    reason: z.string().trim().min(1).max(100).optional(),
    /**
     * true = enter this state when the current work (tasks, wrap-up) is done — the "next state";
     * without work it applies at once. A later request without it replaces the next state.
     */
    afterWork: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.state === 'paused' || r.reason === undefined, {
    message: 'a reason is only allowed with the paused state',
    path: ['reason'],
  });
export type SetStateRequest = z.infer<typeof SetStateRequest>;
