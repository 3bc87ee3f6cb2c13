import { randomUUID } from 'node:crypto';
import { type Query, type Row, type Statement, writeLater } from '../db/db.js';
import { type NewEvent } from '../events/append.js';

export interface ContactFrom {
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
}

/** `+48 (600) 100-200` and `+48600100200` are the same phone. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[\s()-]/g, '');
}

export interface MatchedCustomer {
  customerId: string;
  created: boolean;
  events: NewEvent[];
}

function identitiesOf(from: ContactFrom): { kinds: string[]; values: string[] } {
  const kinds: string[] = [];
  const values: string[] = [];
  if (from.email) {
    kinds.push('email');
    values.push(from.email.trim().toLowerCase());
  }
  if (from.phone) {
    kinds.push('phone');
    values.push(normalizePhone(from.phone));
  }
  return { kinds, values };
}

/**
 * The read that finds a customer by e-mail, then phone (one statement for both); `undefined` when
 * the message brings no identity. For callers that send it together with other reads
 * (`readTogether`) and pass its rows to `matchOrCreateCustomer`. The arrays go through
 * sub-selects so PostgreSQL keeps the generic plan instead of planning every call (0.3 ms), and
 * the identities are probed one by one (a sub-plan per identity): the generic plan of a join
 * hashed the whole identity table instead.
 */
export function customerLookup(from: ContactFrom): Statement | undefined {
  const { kinds, values } = identitiesOf(from);
  if (kinds.length === 0) return undefined;
  return {
    text: `select customer_id from (
         select (select c.customer_id from customer_identities c
                 where c.kind = u.k and c.value = u.v) as customer_id, u.n
         from unnest((select $1::text[]), (select $2::text[])) with ordinality as u(k, v, n)
       ) ci where customer_id is not null
       order by n limit 1`,
    values: [kinds, values],
  };
}

/**
 * `customerLookup` that also answers with the transaction's now() and, when nobody has these
 * identities (so a new customer and a new ticket follow), the new ticket's number: everything
 * the new ticket's row holds is then known before it is written (its number is not wasted on a
 * message for an existing customer).
 */
export function customerLookupForNewTicket(from: ContactFrom): Statement | undefined {
  const lookup = customerLookup(from);
  if (!lookup) return undefined;
  return {
    text: `select l.customer_id, now() as tx_now,
         case when l.customer_id is null then nextval('ticket_number_seq') end as ticket_number
       from (select (${lookup.text}) as customer_id) l`,
    values: lookup.values,
  };
}

/**
 * `customerLookup` for a phone call, which always opens a new ticket: the customer found by the
 * number with their name, the transaction's now() and the new ticket's number (an unknown queue
 * leaves a gap in the numbers, as a rolled-back insert would).
 */
export function callerLookup(phone: string): Statement {
  const lookup = customerLookup({ phone })!;
  return {
    text: `select l.customer_id, c.name as customer_name, now() as tx_now,
         nextval('ticket_number_seq') as ticket_number
       from (select (${lookup.text}) as customer_id) l
       left join customers c on c.id = l.customer_id`,
    values: lookup.values,
  };
}

/** The row of `callerLookup`. */
export interface CallerRow {
  [key: string]: unknown;
  customer_id: string | null;
  customer_name: string | null;
  tx_now: Date | string;
  ticket_number: string | number;
}

/**
 * Finds the customer by e-mail (preferred) or phone, or creates one. Identities the message
 * brings that nobody owns yet are attached to the customer. A concurrent creation of the same
 * customer surfaces as a unique violation, and the caller's retry then matches the winner.
 * @param looked the rows of `customerLookup(from)` when the caller ran it already
 */
export async function matchOrCreateCustomer(
  q: Query,
  from: ContactFrom,
  looked?: readonly Row[],
): Promise<MatchedCustomer> {
  const { kinds, values } = identitiesOf(from);
  const lookup = customerLookup(from);
  const rows = looked ?? (lookup ? await q(lookup.text, lookup.values) : []);
  let customerId = rows[0]?.customer_id as string | undefined;

  const events: NewEvent[] = [];
  if (!customerId) {
    // The customer and its identities in one statement, its id made here so that nothing needs
    // its answer: it rides with the transaction's next statement (writeLater). No ON CONFLICT:
    // losing a race must abort this attempt (see above) — it does, at that next statement.
    customerId = randomUUID();
    await writeLater(
      q,
      `with c as (insert into customers (id, name) values ($1, $2) returning id)
       insert into customer_identities (customer_id, kind, value)
       select c.id, u.k, u.v from c, unnest($3::text[], $4::text[]) as u(k, v)`,
      [customerId, from.name ?? null, kinds, values],
    );
    events.push({
      type: 'customer.created',
      data: {
        customer: {
          id: customerId,
          name: from.name ?? null,
          email: values[kinds.indexOf('email')] ?? null,
          phone: values[kinds.indexOf('phone')] ?? null,
        },
      },
    });
    return { customerId, created: true, events };
  }

  // Locking the customer serialises concurrent messages of one customer, so two of them cannot
  // both find "no open ticket" and open two tickets: the update (which keeps a name already set)
  // takes the row lock. New identities ride along. No rows come back, so it is held back to the
  // next statement — which runs after it, under the lock.
  await writeLater(
    q,
    `with i as (
       insert into customer_identities (customer_id, kind, value)
       select $1, u.k, u.v from unnest($2::text[], $3::text[]) as u(k, v)
       on conflict (kind, value) do nothing
     )
     update customers set name = coalesce(name, $4::text) where id = $1`,
    [customerId, kinds, values, from.name ?? null],
  );
  return { customerId, created: false, events };
}
