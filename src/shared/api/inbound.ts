import { z } from 'zod';
import { Channel } from '../domain/ticket.js';

export const InboundMessageRequest = z
  .object({
    channel: Channel,
    from: z
      .object({
        email: z.string().trim().toLowerCase().email().max(320).optional(),
        phone: z
          .string()
          .trim()
          .regex(
            /^\+?[0-9 ()-]{3,32}$/,
            'phone must contain digits, spaces, (), - and an optional leading +',
          )
          .optional(),
        name: z.string().trim().min(1).max(200).optional(),
      })
      .refine((f) => f.email !== undefined || f.phone !== undefined, {
        message: 'from needs an email or a phone',
      }),
    subject: z.string().trim().min(1).max(300).optional(),
    text: z.string().trim().min(1).max(100_000),
    /** Id of the message in the source channel; a repeated externalId is accepted once. */
    externalId: z.string().min(1).max(200).optional(),
    /** Queue name; defaults to the channel's default queue. */
    queue: z.string().min(1).max(100).optional(),
    /** Customer's language (e.g. 'pl'); routing needs an agent who speaks it. Default: the queue's. */
    language: z.string().min(2).max(20).optional(),
    /** Skills the task needs (name → minimum level), on top of the queue's. */
    skills: z.record(z.string().min(1).max(50), z.number().int().min(1).max(10)).optional(),
    /** Higher goes first; default the queue's priority. */
    priority: z.number().int().min(-1000).max(1000).optional(),
  })
  .strict();
export type InboundMessageRequest = z.infer<typeof InboundMessageRequest>;

export const InboundMessageResponse = z.object({
  customerId: z.string().uuid(),
  customerCreated: z.boolean(),
  ticketId: z.string().uuid(),
  ticketCreated: z.boolean(),
  ticketReopened: z.boolean(),
  messageId: z.string().uuid(),
  taskId: z.string().uuid().nullable(),
  duplicate: z.boolean(),
});
export type InboundMessageResponse = z.infer<typeof InboundMessageResponse>;
