import { z } from 'zod';
import { Channel } from './ticket.js';
import { SkillLevels } from './queue.js';

/** A pause reason agents (or the hub, for system ones such as `missed_offer`) pause with. */
export const PauseReason = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  label: z.string(),
  /** Set by the hub only (e.g. missed_offer); agents cannot choose it. */
  system: z.boolean(),
  enabled: z.boolean(),
});
export type PauseReason = z.infer<typeof PauseReason>;

export const QueueMembership = z.object({
  queueId: z.string().uuid(),
  /** Higher = first in line for this queue's work (a tier, like Asterisk's penalty reversed). */
  priority: z.number().int(),
});
export type QueueMembership = z.infer<typeof QueueMembership>;

/** What routing knows about an agent besides their state. */
export const AgentRouting = z.object({
  languages: z.array(z.string()),
  skills: SkillLevels,
  memberships: z.array(QueueMembership),
  capacity: z.partialRecord(Channel, z.number().int().nonnegative()),
  /** On a voice task the agent gets nothing else. */
  voiceExclusive: z.boolean(),
});
export type AgentRouting = z.infer<typeof AgentRouting>;
