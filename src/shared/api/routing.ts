import { z } from 'zod';
import { AgentStatus, AgentProfile } from '../domain/agent.js';
import { BusinessHours, QueueMode, SkillLevels } from '../domain/queue.js';
import { AgentRouting } from '../domain/routing.js';
import { Channel, TicketSummary } from '../domain/ticket.js';
import { Offer, Task } from '../domain/work.js';

/** POST /offers/{id}/reject */
export const RejectOfferRequest = z
  .object({ reason: z.string().trim().min(1).max(200).optional() })
  .strict();
export type RejectOfferRequest = z.infer<typeof RejectOfferRequest>;

/** POST /offers/{id}/accept → the task now assigned and its ticket. */
export const AcceptOfferResponse = z.object({ task: Task, ticket: TicketSummary });
export type AcceptOfferResponse = z.infer<typeof AcceptOfferResponse>;

/** POST /me/next: what push routing would have given me; both null when nothing fits. */
export const NextResponse = z.object({
  offer: Offer.nullable(),
  /** Set when the task was assigned at once (serve next does not wait for an accept). */
  ticket: TicketSummary.nullable(),
  task: Task.nullable(),
});
export type NextResponse = z.infer<typeof NextResponse>;

/** POST /tasks/{id}/complete and POST /me/wrap-up/end */
export const CompleteTaskRequest = z
  .object({ topic: z.string().trim().min(1).max(100).optional() })
  .strict();
export type CompleteTaskRequest = z.infer<typeof CompleteTaskRequest>;

/** POST /tickets/{id}/close: the topic, where the queue needs one and has no wrap-up time. */
export const CloseTicketRequest = z
  .object({ topic: z.string().trim().min(1).max(100).optional() })
  .strict();
export type CloseTicketRequest = z.infer<typeof CloseTicketRequest>;

export const CompleteTaskResponse = z.object({ task: Task, status: AgentStatus });
export type CompleteTaskResponse = z.infer<typeof CompleteTaskResponse>;

/** POST /me/wrap-up/extend */
export const ExtendWrapUpRequest = z
  .object({ seconds: z.number().int().min(1).max(3600).optional() })
  .strict();
export type ExtendWrapUpRequest = z.infer<typeof ExtendWrapUpRequest>;

/** POST /me/heartbeat → how often to send it and what happens when it stops. */
export const HeartbeatResponse = z.object({
  intervalMs: z.number().int().positive(),
  /** No heartbeat for this long → `disconnected`, pending offers revoked. */
  disconnectAfterMs: z.number().int().positive(),
  /** Disconnected for this long more → assigned tickets return to their queues. */
  returnWorkAfterMs: z.number().int().positive(),
  status: AgentStatus,
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** Admin: create (name, channels required) or change (any subset) a queue. */
export const QueueSettings = z
  .object({
    name: z.string().trim().min(1).max(100),
    channels: z.array(Channel).min(1),
    priority: z.number().int().min(-1000).max(1000),
    language: z.string().min(2).max(20).nullable(),
    requiredSkills: SkillLevels,
    offerTimeouts: z.partialRecord(Channel, z.number().int().min(1).max(86_400)),
    autoAccept: z.array(Channel),
    wrapUpSeconds: z.number().int().min(0).max(3600),
    topicRequired: z.boolean(),
    topics: z.array(z.string().trim().min(1).max(100)).max(200),
    serviceLevelSeconds: z.number().int().min(1).max(86_400),
    shortAbandonSeconds: z.number().int().min(0).max(3600),
    slaFirstResponseSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .nullable(),
    businessHours: BusinessHours.nullable(),
    maxWaitSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .nullable(),
    maxQueued: z.number().int().min(1).nullable(),
    mode: QueueMode,
  })
  .partial()
  .strict();
export type QueueSettings = z.infer<typeof QueueSettings>;

/** Admin: change an agent's routing profile (any subset). Memberships are by queue id. */
export const AgentRoutingUpdate = AgentRouting.partial().strict();
export type AgentRoutingUpdate = z.infer<typeof AgentRoutingUpdate>;

/** Supervisor view of one agent. */
export const AgentOverview = z.object({
  agent: AgentProfile,
  status: AgentStatus,
  routing: AgentRouting,
  /** Tasks assigned or wrapping now. */
  activeTasks: z.number().int().nonnegative(),
  lastHeartbeatAt: z.string().datetime().nullable(),
});
export type AgentOverview = z.infer<typeof AgentOverview>;

/** Admin: create or change a pause reason. */
export const PauseReasonInput = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
    label: z.string().trim().min(1).max(100),
    enabled: z.boolean().optional(),
  })
  .strict();
export type PauseReasonInput = z.infer<typeof PauseReasonInput>;

/** Supervisor: move a task to an agent (assigned at once) or to another queue (queued again). */
export const ReassignTaskRequest = z
  .object({
    agentId: z.string().uuid().optional(),
    queueId: z.string().uuid().optional(),
  })
  .strict()
  .refine((r) => (r.agentId === undefined) !== (r.queueId === undefined), {
    message: 'give exactly one of agentId and queueId',
  });
export type ReassignTaskRequest = z.infer<typeof ReassignTaskRequest>;
