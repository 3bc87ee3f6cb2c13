import { z } from 'zod';
import { Channel } from './ticket.js';

/** Opening hours per weekday ('mon'…'sun'), each a list of ['HH:MM', 'HH:MM'] ranges. */
export const BusinessHours = z.object({
  /** IANA time zone, e.g. 'Europe/Warsaw'. */
  timezone: z.string().min(1).max(64),
  weekly: z.partialRecord(
    z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
    z.array(z.tuple([z.string().regex(/^\d\d:\d\d$/), z.string().regex(/^\d\d:\d\d$/)])),
  ),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

export const QueueMode = z.enum(['push', 'pull']);
export type QueueMode = z.infer<typeof QueueMode>;

/** Skill name → minimum level (1–10). */
export const SkillLevels = z.record(z.string().min(1).max(50), z.number().int().min(1).max(10));
export type SkillLevels = z.infer<typeof SkillLevels>;

/**
 * A queue and its routing settings. The settings are optional in the schema (older producers),
 * the hub always fills them.
 */
export const Queue = z.object({
  id: z.string().uuid(),
  name: z.string(),
  channels: z.array(Channel),
  priority: z.number().int(),
  /** Language the queue's customers write in (BCP-47 like 'pl'); null = any. */
  language: z.string().nullish(),
  requiredSkills: SkillLevels.optional(),
  /** Seconds an offer waits for the agent, per channel; missing channels use the hub default. */
  offerTimeouts: z.partialRecord(Channel, z.number().int().positive()).optional(),
  /** Channels on which work is assigned without an offer to accept. */
  autoAccept: z.array(Channel).optional(),
  /** After-call work after each task (0 = none). */
  wrapUpSeconds: z.number().int().nonnegative().optional(),
  /** Completing a task needs a topic (disposition), from `topics` when that list is not empty. */
  topicRequired: z.boolean().optional(),
  topics: z.array(z.string()).optional(),
  /** Service-level threshold T (answered within T seconds). */
  serviceLevelSeconds: z.number().int().positive().optional(),
  /** Abandons within this many seconds are short ("null") abandons. */
  shortAbandonSeconds: z.number().int().nonnegative().optional(),
  /** First-response target; sets each task's SLA deadline. */
  slaFirstResponseSeconds: z.number().int().positive().nullish(),
  businessHours: BusinessHours.nullish(),
  /** A task waiting longer is timed out (`task.timed_out`). */
  maxWaitSeconds: z.number().int().positive().nullish(),
  /** More queued tasks than this and an arrival logs `queue.full`. */
  maxQueued: z.number().int().positive().nullish(),
  /** push = the hub offers work; pull = agents ask with POST /me/next. */
  mode: QueueMode.optional(),
});
export type Queue = z.infer<typeof Queue>;
