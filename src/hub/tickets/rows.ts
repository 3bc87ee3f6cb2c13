import {
  type Channel,
  type Customer,
  type Message,
  type TicketSummary,
} from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { iso } from '../time.js';

export interface TicketRow {
  [key: string]: unknown;
  id: string;
  number: number | string;
  subject: string;
  status: 'open' | 'closed';
  channel: Channel;
  queue_id: string | null;
  customer_id: string;
  customer_name: string | null;
  assignee_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  closed_at: Date | string | null;
}

/**
 * The row of a ticket this transaction inserts with its id, number and version made in the hub
 * (its insert needs no answer): open, unassigned, created at the transaction's now().
 */
export function newTicketRow(
  t: Pick<
    TicketRow,
    | 'id'
    | 'number'
    | 'subject'
    | 'channel'
    | 'queue_id'
    | 'customer_id'
    | 'customer_name'
    | 'version'
  > & { txNow: Date | string },
): TicketRow {
  const { txNow, ...fields } = t;
  return {
    ...fields,
    status: 'open',
    assignee_id: null,
    created_at: txNow,
    updated_at: txNow,
    closed_at: null,
  };
}

/** Selects TicketRow columns; append `where …` (alias t). */
export const TICKET_SELECT = `select t.*, c.name as customer_name
  from tickets t join customers c on c.id = t.customer_id`;

export function ticketSummary(row: TicketRow): TicketSummary {
  return {
    id: row.id,
    number: Number(row.number),
    subject: row.subject,
    status: row.status,
    channel: row.channel,
    queueId: row.queue_id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    assigneeId: row.assignee_id,
    version: Number(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function loadTicket(q: Query, id: string): Promise<TicketRow | undefined> {
  const rows = await q<TicketRow>(`${TICKET_SELECT} where t.id = $1`, [id]);
  return rows[0];
}

export interface MessageRow {
  [key: string]: unknown;
  id: string;
  ticket_id: string;
  direction: 'in' | 'out';
  author_name: string | null;
  author_agent_id: string | null;
  text: string;
  created_at: Date | string;
}

export function message(row: MessageRow): Message {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    direction: row.direction,
    authorName: row.author_name,
    authorAgentId: row.author_agent_id,
    text: row.text,
    createdAt: iso(row.created_at),
  };
}

export async function loadCustomer(q: Query, id: string): Promise<Customer> {
  const rows = await q<{
    id: string;
    name: string | null;
    email: string | null;
    phone: string | null;
  }>(
    `select c.id, c.name,
       (select value from customer_identities where customer_id = c.id and kind = 'email'
         order by created_at limit 1) as email,
       (select value from customer_identities where customer_id = c.id and kind = 'phone'
         order by created_at limit 1) as phone
     from customers c where c.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new Error(`customer ${id} not found`);
  return row;
}
