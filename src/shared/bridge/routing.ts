import { z } from 'zod';
import { AcceptOfferResponse, NextResponse, RejectOfferRequest } from '../api/routing.js';
import { AgentStatus } from '../domain/agent.js';
import { Queue } from '../domain/queue.js';
import { PauseReason } from '../domain/routing.js';
import { Task } from '../domain/work.js';

/**
 * The routing engine's part of the bridge (issue 3): answering offers, serve next, completing a
 * task with a topic, wrap-up, pause reasons and queue settings. Every timer runs on the hub; the
 * console only draws countdowns from the deadlines it is given.
 */

export const OfferRef = z.object({ offerId: z.string().uuid() }).strict();

// The bridge answers with what the hub answers: one schema each, not a copy.
export const RejectOfferInput = RejectOfferRequest.extend({ offerId: z.string().uuid() }).strict();
export type RejectOfferInput = z.infer<typeof RejectOfferInput>;

export const AcceptOfferResult = AcceptOfferResponse;
export type AcceptOfferResult = z.infer<typeof AcceptOfferResult>;

/** Serve next: what push routing gives the agent now (all null when nothing fits). */
export const ServeNextResult = NextResponse;
export type ServeNextResult = z.infer<typeof ServeNextResult>;

const Topic = z.string().trim().min(1).max(100);

/** The task by id, or the task behind one of my tickets (the console learns it from assignments). */
export const CompleteTaskInput = z
  .object({
    taskId: z.string().uuid().optional(),
    ticketId: z.string().uuid().optional(),
    topic: Topic.optional(),
  })
  .strict()
  .refine((r) => (r.taskId === undefined) !== (r.ticketId === undefined), {
    message: 'give exactly one of taskId and ticketId',
  });
export type CompleteTaskInput = z.infer<typeof CompleteTaskInput>;

export const CompleteTaskResult = z.object({ task: Task, status: AgentStatus });
export type CompleteTaskResult = z.infer<typeof CompleteTaskResult>;

export const EndWrapUpInput = z.object({ topic: Topic.optional() }).strict();
export type EndWrapUpInput = z.infer<typeof EndWrapUpInput>;

export const ExtendWrapUpInput = z
  .object({ seconds: z.number().int().min(1).max(3600).optional() })
  .strict();
export type ExtendWrapUpInput = z.infer<typeof ExtendWrapUpInput>;

/**
 * The agent's running wrap-up (after-call work), or null. `until` is the hub's deadline; the
 * topic list comes from the task's queue (empty = any topic, or the queue is not known).
 */
export const WrapUp = z
  .object({
    taskId: z.string().uuid().nullable(),
    ticketId: z.string().uuid().nullable(),
    queueId: z.string().uuid().nullable(),
    queueName: z.string().nullable(),
    startedAt: z.string().datetime().nullable(),
    until: z.string().datetime(),
    extended: z.boolean(),
    topicRequired: z.boolean(),
    topics: z.array(z.string()),
  })
  .nullable();
export type WrapUp = z.infer<typeof WrapUp>;

const Empty = z.object({}).strict();

export const routingCalls = {
  /** Accept my pending offer: the task and its ticket become mine. */
  'offers.accept': { request: OfferRef, response: AcceptOfferResult },
  /** Reject my pending offer (back to the head of its queue; I am skipped for it). */
  'offers.reject': { request: RejectOfferInput, response: AgentStatus },
  /** Serve next (POST /me/next): never a choice; the hub decides what comes. */
  'work.next': { request: Empty, response: ServeNextResult },
  /** Complete a task with a topic; enters wrap-up when its queue has wrap-up time. */
  'tasks.complete': { request: CompleteTaskInput, response: CompleteTaskResult },
  'wrapUp.get': { request: Empty, response: WrapUp },
  /** Finish wrap-up early (topic required where the queue says so). */
  'wrapUp.end': { request: EndWrapUpInput, response: AgentStatus },
  /** Extend wrap-up once. */
  'wrapUp.extend': { request: ExtendWrapUpInput, response: AgentStatus },
  /** Pause reasons from the hub (cached for offline use). */
  'pauseReasons.list': { request: Empty, response: z.array(PauseReason) },
  /** Queues with their routing settings (mode, topics, wrap-up), cached for offline use. */
  'queues.list': { request: Empty, response: z.array(Queue) },
} as const;

export const routingEvents = {
  /** The running wrap-up started, was extended or ended (null). */
  'wrapUp.changed': WrapUp,
} as const;
