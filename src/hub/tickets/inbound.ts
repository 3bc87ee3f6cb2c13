import { randomUUID } from 'node:crypto';
import { type InboundMessageRequest, type InboundMessageResponse } from '../../shared/api/index.js';
import { type HubContext } from '../context.js';
import {
  pgErrorCode,
  type Query,
  readTogether,
  type Row,
  type Statement,
  writeLater,
} from '../db/db.js';
import { HubError } from '../errors.js';
import { customerLookupForNewTicket, matchOrCreateCustomer } from '../customers/match.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { refreshAgent } from '../agents/state.js';
import { addMs } from '../clock.js';
import { isOpen } from '../routing/business-hours.js';
import { assignTicket, type TaskRow } from '../routing/offers.js';
import { routeBatch } from '../routing/router.js';
import { queueFrom, queueLookup, queueRow } from '../routing/queues.js';
import { scheduleTimer } from '../timers/store.js';
import {
  message,
  type MessageRow,
  newTicketRow,
  TICKET_SELECT,
  ticketSummary,
  type TicketRow,
} from './rows.js';

function subjectFrom(req: InboundMessageRequest): string {
  if (req.subject) return req.subject;
  const firstLine = req.text.split('\n', 1)[0]!.trim();
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}

/** The read that finds a message already received under `externalId` on the channel. */
function duplicateLookup(req: InboundMessageRequest): Statement | undefined {
  if (!req.externalId) return undefined;
  return {
    text: `select m.id, m.ticket_id, t.customer_id from messages m join tickets t on t.id = m.ticket_id
     where m.channel = $1 and m.external_id = $2 and m.direction = 'in'`,
    values: [req.channel, req.externalId],
  };
}

function duplicateFrom(rows: readonly Row[] | undefined): InboundMessageResponse | undefined {
  const row = rows?.[0] as { id: string; ticket_id: string; customer_id: string } | undefined;
  if (!row) return undefined;
  return {
    customerId: row.customer_id,
    customerCreated: false,
    ticketId: row.ticket_id,
    ticketCreated: false,
    ticketReopened: false,
    messageId: row.id,
    taskId: null,
    duplicate: true,
  };
}

/**
 * Message in → customer → ticket → task, in one transaction:
 * - the customer is matched by e-mail, then phone, or created;
 * - the customer's open ticket gets the message; else their ticket closed within the reopen window
 *   is reopened; else a new ticket is created;
 * - a new or reopened ticket gets a task in its queue — except a reopened ticket whose last
 *   assignee is available, which goes straight back to them (same person, no queueing);
 * - an open ticket that already has a live task gets no second one.
 * A queued task is routed in the same transaction when no routing pass is running on this hub (a
 * pass over every queued task, as the router's would be, so order holds): one commit instead of
 * two, and no wait for the router between them. Otherwise, or when the batch was full, a pass
 * follows the commit. Routing never costs a message: if it fails, the message is stored without
 * it (when the failed transaction surely did not commit) and its task waits for a pass. A repeated `externalId` on the channel is answered with the
 * stored ids and `duplicate: true`, and changes nothing.
 */
export async function receiveInbound(
  ctx: HubContext,
  req: InboundMessageRequest,
): Promise<InboundMessageResponse> {
  let release: (() => void) | undefined;
  const routing: RoutingInTx = {
    // Claimed once and kept across the transaction's retries; released after the commit.
    claim: () => routing.allowed && (release ??= ctx.router.claim()) !== undefined,
    allowed: true,
    started: false,
    more: false,
  };
  let response: InboundMessageResponse;
  try {
    response = await storeInbound(ctx, req, routing);
  } catch (err) {
    if (!routing.started || !surelyRolledBack(err)) throw err;
    ctx.log.error({ err }, 'routing in the inbound transaction failed: stored without it');
    release?.();
    release = undefined;
    routing.allowed = false;
    response = await storeInbound(ctx, req, routing);
  } finally {
    release?.();
  }
  if (response.taskId && (!routing.started || routing.more)) await ctx.router.run();
  return response;
}

/**
 * Whether a failed inbound transaction surely did not commit: the hub threw inside it, or the
 * database reported the error (a SQLSTATE; the inbound has no read after its COMMIT). A lost
 * connection leaves the outcome unknown, and storing the message again could store it twice.
 */
function surelyRolledBack(err: unknown): boolean {
  return err instanceof HubError || /^[0-9A-Z]{5}$/.test(pgErrorCode(err) ?? '');
}

/** Whether and how `storeInbound` routed inside its transaction. */
interface RoutingInTx {
  /** Takes the router for this message: false while a pass is running or when not allowed. */
  claim: () => boolean;
  /** False once routing failed in the transaction: the message is stored without it. */
  allowed: boolean;
  /** A routing step ran in the (last attempt of the) transaction. */
  started: boolean;
  /** Its batch was full: more tasks may be matchable. */
  more: boolean;
}

async function storeInbound(
  ctx: HubContext,
  req: InboundMessageRequest,
  routing: RoutingInTx,
): Promise<InboundMessageResponse> {
  return ctx.tx(async (q) => {
    routing.started = false;
    routing.more = false;
    // The reads whose inputs the request holds, in one round trip: an earlier delivery of this
    // message, the customer, the queue (none of them locks anything).
    const dup = duplicateLookup(req);
    const who = customerLookupForNewTicket(req.from);
    const reads = await readTogether(q, [
      ...(dup ? [dup] : []),
      ...(who ? [who] : []),
      queueLookup(req.channel, req.queue),
    ]);
    const duplicate = duplicateFrom(dup ? reads.shift() : undefined);
    if (duplicate) return duplicate;
    const customerRows = who ? reads.shift()! : [];
    const queueRows = reads.shift()!;

    const events: NewEvent[] = [];
    const customer = await matchOrCreateCustomer(q, req.from, customerRows);
    const known = customerRows[0] as
      { tx_now: Date; ticket_number: string | number | null } | undefined;
    events.push(...customer.events);
    const queue = queueFrom(queueRows, req.queue);

    // The customer's open ticket, else their ticket closed within the reopen window — one
    // statement; a customer created just now has neither.
    let ticketRow = customer.created
      ? undefined
      : (
          await q<TicketRow>(
            `${TICKET_SELECT} where t.customer_id = $1
               and (t.status = 'open'
                    or (t.status = 'closed' and t.closed_at > now() - make_interval(days => $2)))
             order by (t.status = 'open') desc,
               case when t.status = 'open' then t.updated_at else t.closed_at end desc
             limit 1 for update of t`,
            [customer.customerId, ctx.config.reopenWindowDays],
          )
        )[0];
    let ticketCreated = false;
    let ticketReopened = false;
    let keeper: string | undefined;
    if (ticketRow?.status === 'closed') {
      ticketReopened = true;
      keeper = await availableAssignee(q, ticketRow.assignee_id);
      // Someone who is not available any more does not keep the ticket: it is queued afresh.
      await q(
        `update tickets set status = 'open', closed_at = null, assignee_id = $2 where id = $1`,
        [ticketRow.id, keeper ?? null],
      );
    }
    let written: { message: MessageRow; ticket: TicketRow };
    if (!ticketRow && known?.ticket_number != null) {
      // A new customer's first ticket: its number, id and timestamps (the transaction's now())
      // are known, so its insert and its first message's need no answer and ride with the
      // final statement.
      const ticketId = randomUUID();
      const messageId = randomUUID();
      await writeLater(
        q,
        `with k as (
           insert into tickets (id, number, subject, channel, queue_id, customer_id, version)
           values ($1, $2, $3, $4, $5, $6, 1) returning id
         )
         insert into messages (id, ticket_id, channel, direction, text, author_name, external_id,
                               ticket_version)
         select $7, k.id, $4, 'in', $8, $9, $10, 1 from k`,
        [
          ticketId,
          known.ticket_number,
          subjectFrom(req),
          req.channel,
          queue?.id ?? null,
          customer.customerId,
          messageId,
          req.text,
          req.from.name ?? null,
          req.externalId ?? null,
        ],
      );
      written = {
        ticket: newTicketRow({
          id: ticketId,
          number: known.ticket_number,
          subject: subjectFrom(req),
          channel: req.channel,
          queue_id: queue?.id ?? null,
          customer_id: customer.customerId,
          customer_name: req.from.name ?? null,
          version: 1,
          txNow: known.tx_now,
        }),
        message: {
          id: messageId,
          ticket_id: ticketId,
          direction: 'in',
          author_name: req.from.name ?? null,
          author_agent_id: null,
          text: req.text,
          created_at: known.tx_now,
        },
      };
      ticketRow = written.ticket;
      ticketCreated = true;
    } else if (!ticketRow) {
      // A new ticket and its first message in one statement: the ticket starts at version 1,
      // as the first message would have made it.
      written = (
        await q<{ message: MessageRow; ticket: TicketRow }>(
          `with k as (
             insert into tickets (subject, channel, queue_id, customer_id, version)
             values ($1, $2, $3, $4, 1) returning *
           ), m as (
             insert into messages (ticket_id, channel, direction, text, author_name, external_id,
                                   ticket_version)
             select k.id, $2, 'in', $5, $6, $7, 1 from k returning *
           )
           select to_jsonb(m) as message, to_jsonb(k) || jsonb_build_object('customer_name',
             (select c.name from customers c where c.id = $4)) as ticket
           from m, k`,
          [
            subjectFrom(req),
            req.channel,
            queue?.id ?? null,
            customer.customerId,
            req.text,
            req.from.name ?? null,
            req.externalId ?? null,
          ],
        )
      )[0]!;
      ticketRow = written.ticket;
      ticketCreated = true;
    } else {
      // The message and the ticket's new version in one statement.
      written = (
        await q<{ message: MessageRow; ticket: TicketRow }>(
          `with m as (
             insert into messages (ticket_id, channel, direction, text, author_name, external_id)
             values ($1, $2, 'in', $3, $4, $5) returning *
           ), k as (
             update tickets set version = version + 1, updated_at = now(), queue_id = $6
             where id = $1 returning *
           )
           select to_jsonb(m) as message, to_jsonb(k) as ticket from m, k`,
          [
            ticketRow.id,
            req.channel,
            req.text,
            req.from.name ?? null,
            req.externalId ?? null,
            ticketRow.queue_id ?? queue?.id ?? null,
          ],
        )
      )[0]!;
    }
    const ticketId = ticketRow.id;
    const queueId: string | null = ticketRow.queue_id ?? queue?.id ?? null;
    const msg = message(written.message);
    const ticketAfterMessage = ticketSummary({
      ...written.ticket,
      customer_name: ticketRow.customer_name,
    });

    const ids = { ticketId, queueId };
    if (ticketCreated)
      events.push({ type: 'ticket.created', ...ids, data: { ticket: ticketAfterMessage } });
    if (ticketReopened) {
      events.push({
        type: 'ticket.reopened',
        ...ids,
        agentId: ticketAfterMessage.assigneeId,
        data: { ticket: ticketAfterMessage },
      });
    }
    events.push({
      type: 'message.received',
      ...ids,
      agentId: ticketAfterMessage.assigneeId,
      data: { message: msg, ticket: ticketAfterMessage },
    });

    let taskId: string | null = null;
    // A ticket created just now has no task yet.
    const live = ticketCreated
      ? []
      : await q<{ id: string }>(
          `select id from tasks where ticket_id = $1
             and status in ('queued', 'offered', 'assigned', 'wrapping')`,
          [ticketId],
        );
    const taskQueue = queueId
      ? queue?.id === queueId
        ? queue
        : await queueRow(q, queueId)
      : undefined;
    if (live.length === 0 && taskQueue) {
      const now = ctx.clock.now();
      const priority = req.priority ?? Number(taskQueue.priority);
      const language = req.language ?? taskQueue.language ?? null;
      const skills = { ...(taskQueue.required_skills ?? {}), ...req.skills };
      const sla = taskQueue.sla_first_response_seconds
        ? addMs(now, Number(taskQueue.sla_first_response_seconds) * 1000)
        : null;
      // The id is made here, so a queued task's insert needs no answer: it rides with the
      // transaction's next statement (writeLater). A task going straight back to its keeper is
      // read back, as the assignment needs the row.
      taskId = randomUUID();
      const insertTask = `insert into tasks (id, ticket_id, queue_id, channel, status, priority,
           agent_id, assigned_at, created_at, sla_deadline, language, skills)
         values ($11, $1, $2, $3, $4, $5, $6,
           case when $6::uuid is null then null else $7::timestamptz end, $7, $8, $9, $10::jsonb)`;
      const taskValues = [
        ticketId,
        taskQueue.id,
        ticketRow.channel,
        keeper ? 'assigned' : 'queued',
        priority,
        keeper ?? null,
        now,
        sla,
        language,
        JSON.stringify(skills),
        taskId,
      ];
      if (!isOpen(taskQueue.business_hours, now)) {
        events.push({
          type: 'queue.after_hours',
          ...ids,
          taskId,
          data: { channel: ticketRow.channel, customerId: customer.customerId },
        });
      }
      if (keeper) {
        const task = (await q<TaskRow>(`${insertTask} returning *`, taskValues))[0]!;
        events.push(
          ...(await assignTicket(q, task, keeper, {
            via: 'reopen',
            autoAccepted: true,
            waitMs: 0,
            ringMs: 0,
            attempt: 0,
          })),
        );
        events.push(...(await refreshAgent(q, keeper, now, 'routing')).events);
      } else {
        await writeLater(q, insertTask, taskValues);
        if (taskQueue.max_queued) {
          const queued = await q<{ n: number }>(
            `select count(*)::int as n from tasks where queue_id = $1 and status = 'queued'`,
            [taskQueue.id],
          );
          // Messages are never refused; the event tells supervisors (and telephony) it is full.
          if (Number(queued[0]!.n) > Number(taskQueue.max_queued)) {
            events.push({
              type: 'queue.full',
              ...ids,
              taskId,
              data: {
                channel: ticketRow.channel,
                queued: Number(queued[0]!.n),
                maxQueued: Number(taskQueue.max_queued),
              },
            });
          }
        }
        if (taskQueue.max_wait_seconds) {
          await scheduleTimer(q, {
            key: `maxwait:${taskId}`,
            kind: 'task_max_wait',
            dueAt: addMs(now, Number(taskQueue.max_wait_seconds) * 1000),
            taskId,
          });
        }
        events.push({
          type: 'task.queued',
          ...ids,
          taskId,
          data: {
            channel: ticketRow.channel,
            priority,
            slaDeadline: sla ? sla.toISOString() : null,
            language,
            skills,
            customerId: customer.customerId,
          },
        });
        if (routing.claim()) {
          routing.started = true;
          const routed = await routeBatch(q, now);
          events.push(...routed.events);
          routing.more = routed.more;
        }
      }
    }
    await appendEvents(q, events);
    return {
      customerId: customer.customerId,
      customerCreated: customer.created,
      ticketId,
      ticketCreated,
      ticketReopened,
      messageId: msg.id,
      taskId,
      duplicate: false,
    } satisfies InboundMessageResponse;
  });
}

/** The reopened ticket's last assignee, if they are available right now. */
async function availableAssignee(q: Query, agentId: string | null): Promise<string | undefined> {
  if (!agentId) return undefined;
  const rows = await q<{ id: string }>(
    `select id from agents where id = $1 and selected_state = 'available'
       and disconnected_at is null and wrap_until is null for update`,
    [agentId],
  );
  return rows[0]?.id;
}
