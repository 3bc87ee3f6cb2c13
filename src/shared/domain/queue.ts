import { z } from 'zod';
import { Channel } from './ticket.js';

export const Queue = z.object({
  id: z.string().uuid(),
  name: z.string(),
  channels: z.array(Channel),
  priority: z.number().int(),
});
export type Queue = z.infer<typeof Queue>;
