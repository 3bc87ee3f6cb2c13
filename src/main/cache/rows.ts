import {
  Message,
  TicketSummary,
  type Customer,
  type Message as MessageT,
  type TicketSummary as TicketSummaryT,
} from '../../shared/domain/index.js';

/** Column shapes of the cache tables and their mapping to the shared domain types. */
export interface TicketRow {
  id: string;
  number: number;
  subject: string;
  status: string;
  channel: string;
  queue_id: string | null;
  customer_id: string;
  customer_name: string | null;
  assignee_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  detail_fetched_at: string | null;
}

export interface MessageRow {
  id: string;
  ticket_id: string;
  direction: string;
  author_name: string | null;
  author_agent_id: string | null;
  text: string;
  created_at: string;
}

export interface CustomerRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
}

// Rows are parsed on the way out: a cache written by an older or buggy build cannot smuggle an
// invalid value into the renderer.
export const ticketFromRow = (r: TicketRow): TicketSummaryT =>
  TicketSummary.parse({
    id: r.id,
    number: r.number,
    subject: r.subject,
    status: r.status,
    channel: r.channel,
    queueId: r.queue_id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    assigneeId: r.assignee_id,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

export const ticketParams = (t: TicketSummaryT) => ({
  id: t.id,
  number: t.number,
  subject: t.subject,
  status: t.status,
  channel: t.channel,
  queue_id: t.queueId,
  customer_id: t.customerId,
  customer_name: t.customerName,
  assignee_id: t.assigneeId,
  version: t.version,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/**
 * Messages are the hot path (a ticket opens with hundreds): shape checks like the schema's, done
 * by hand without copying, and the schema itself (with its precise error) only for a bad row.
 */
export const messageFromRow = (r: MessageRow): MessageT => {
  const message = {
    id: r.id,
    ticketId: r.ticket_id,
    direction: r.direction as MessageT['direction'],
    authorName: r.author_name,
    authorAgentId: r.author_agent_id,
    text: r.text,
    createdAt: r.created_at,
  };
  const valid =
    UUID.test(r.id) &&
    UUID.test(r.ticket_id) &&
    (r.direction === 'in' || r.direction === 'out') &&
    typeof r.text === 'string' &&
    (r.author_name === null || typeof r.author_name === 'string') &&
    (r.author_agent_id === null || UUID.test(r.author_agent_id)) &&
    ISO_TIME.test(r.created_at);
  return valid ? message : Message.parse(message);
};

export const messageParams = (m: MessageT) => ({
  id: m.id,
  ticket_id: m.ticketId,
  direction: m.direction,
  author_name: m.authorName,
  author_agent_id: m.authorAgentId,
  text: m.text,
  created_at: m.createdAt,
});

export const customerFromRow = (r: CustomerRow): Customer => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
});
