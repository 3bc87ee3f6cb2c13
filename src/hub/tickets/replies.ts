import { createHash } from 'node:crypto';
import {
  type ReplyConflictDetails,
  type ReplyConflictReason,
  type ReplyRequest,
  ReplyResponse,
} from '../../shared/api/index.js';
import { type AgentProfile } from '../../shared/domain/index.js';
import { type HubContext } from '../context.js';
import { type Query } from '../db/db.js';
import { HubError } from '../errors.js';
import { appendEvents } from '../events/append.js';
import { assertTicketAccess } from './access.js';
import { seesEverything } from '../auth/principal.js';
import { message, type MessageRow, TICKET_SELECT, ticketSummary, type TicketRow } from './rows.js';

export interface ReplyInput {
  ticketId: string;
  idempotencyKey: string;
  body: ReplyRequest;
  /** Ticket version the reply was written against (If-Match); checked when given. */
  ifMatchVersion?: number | undefined;
}

export interface ReplyOutcome {
  status: 200 | 201;
  body: ReplyResponse;
}

function requestHash(input: ReplyInput): string {
  return createHash('sha256')
    .update(JSON.stringify({ ticketId: input.ticketId, text: input.body.text }))
    .digest('hex');
}

/**
 * Applies a reply exactly once per (agent, Idempotency-Key). The key row is inserted first in the
 * same transaction as the message: a concurrent request with the same key blocks on that insert
 * until the first commits, then finds the stored reply and replays it. A failed request (403,
 * 409 …) rolls back and leaves the key unused, so a corrected retry can still apply.
 */
export async function postReply(
  ctx: HubContext,
  agent: AgentProfile,
  input: ReplyInput,
): Promise<ReplyOutcome> {
  const hash = requestHash(input);
  return ctx.tx(async (q) => {
    const claimed = await q(
      `insert into idempotency_keys (agent_id, key, request_hash) values ($1, $2, $3)
       on conflict (agent_id, key) do nothing returning key`,
      [agent.id, input.idempotencyKey, hash],
    );
    if (claimed.length === 0) {
      const rows = await q<{ request_hash: string; response: unknown }>(
        'select request_hash, response from idempotency_keys where agent_id = $1 and key = $2',
        [agent.id, input.idempotencyKey],
      );
      const stored = rows[0];
      if (!stored || stored.request_hash !== hash) {
        throw new HubError(
          'idempotency_key_reused',
          'this Idempotency-Key was already used for a different request',
        );
      }
      const replay = ReplyResponse.parse(stored.response);
      return { status: 200, body: { ...replay, replayed: true } };
    }

    const ticketRow = (
      await q<TicketRow>(`${TICKET_SELECT} where t.id = $1 for update of t`, [input.ticketId])
    )[0];
    if (!ticketRow) throw new HubError('not_found', 'ticket not found');
    if (input.ifMatchVersion !== undefined && input.ifMatchVersion !== Number(ticketRow.version)) {
      await assertNoConflict(q, agent, ticketRow, input.ifMatchVersion);
    }
    const ticket = assertTicketAccess(agent, ticketRow);
    if (ticket.status === 'closed') {
      throw new HubError('conflict', 'the ticket is closed', {
        reason: 'closed',
        currentVersion: Number(ticket.version),
      } satisfies ReplyConflictDetails);
    }
    const msgRows = await q<MessageRow>(
      `insert into messages (ticket_id, channel, direction, text, author_name, author_agent_id)
       values ($1, $2, 'out', $3, $4, $5) returning *`,
      [ticket.id, ticket.channel, input.body.text, agent.name, agent.id],
    );
    const updated = await q<TicketRow>(
      `update tickets set version = version + 1, updated_at = now() where id = $1 returning *`,
      [ticket.id],
    );
    const body: ReplyResponse = {
      message: message(msgRows[0]!),
      ticket: ticketSummary({ ...updated[0]!, customer_name: ticket.customer_name }),
      replayed: false,
    };
    await q(
      `update idempotency_keys set status_code = 201, response = $3::jsonb
       where agent_id = $1 and key = $2`,
      [agent.id, input.idempotencyKey, JSON.stringify(body)],
    );
    await appendEvents(q, [
      {
        type: 'message.sent',
        agentId: agent.id,
        ticketId: ticket.id,
        queueId: ticket.queue_id,
        data: { message: body.message, ticket: body.ticket },
      },
    ]);
    return { status: 201, body };
  });
}

/**
 * The ticket is at another version than the reply was written against. Refuses (412) only when it
 * changed in a way the agent must see before the reply goes out: closed, reassigned (the assignee
 * changed since that version, or it is not the caller's ticket), or a customer message arrived.
 * Anything else (the agent's own earlier reply, a state change) lets the reply through.
 */
async function assertNoConflict(
  q: Query,
  agent: AgentProfile,
  ticket: TicketRow,
  baseVersion: number,
): Promise<void> {
  const mayRead = ticket.assignee_id === agent.id || seesEverything(agent);
  const reasons: ReplyConflictReason[] = [];
  if (ticket.status === 'closed') reasons.push('closed');
  const assigneeVersion = Number(ticket.assignee_version ?? 0);
  if (!mayRead || assigneeVersion > baseVersion) reasons.push('reassigned');
  const newer = await q<MessageRow>(
    `select * from messages where ticket_id = $1 and coalesce(ticket_version, 0) > $2
      order by created_at, id`,
    [ticket.id, baseVersion],
  );
  if (newer.some((m) => m.direction === 'in')) reasons.push('newer_customer_message');
  const reason = reasons[0];
  if (!reason) return;
  const details: ReplyConflictDetails = mayRead
    ? {
        reason,
        reasons,
        currentVersion: Number(ticket.version),
        assigneeId: ticket.assignee_id,
        newMessages: newer.map(message),
      }
    : { reason, reasons };
  throw new HubError('precondition_failed', conflictMessage(reason), details);
}

function conflictMessage(reason: ReplyConflictReason): string {
  switch (reason) {
    case 'closed':
      return 'the ticket was closed since this reply was written';
    case 'reassigned':
      return 'the ticket was reassigned since this reply was written';
    case 'newer_customer_message':
      return 'the customer wrote again since this reply was written';
  }
}
