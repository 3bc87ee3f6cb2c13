import { randomUUID } from 'node:crypto';
import { type Query, writeLater } from '../db/db.js';
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

/**
 * Finds the customer by e-mail (preferred) or phone, or creates one. Identities the message
 * brings that nobody owns yet are attached to the customer. A concurrent creation of the same
 * customer surfaces as a unique violation, and the caller's retry then matches the winner.
 */
export async function matchOrCreateCustomer(q: Query, from: ContactFrom): Promise<MatchedCustomer> {
  const identities: { kind: 'email' | 'phone'; value: string }[] = [];
  if (from.email) identities.push({ kind: 'email', value: from.email.trim().toLowerCase() });
  if (from.phone) identities.push({ kind: 'phone', value: normalizePhone(from.phone) });

  const kinds = identities.map((i) => i.kind);
  const values = identities.map((i) => i.value);
  // E-mail first, then phone: one statement for both lookups.
  let customerId =
    identities.length === 0
      ? undefined
      : (
          await q<{ customer_id: string }>(
            `select ci.customer_id from unnest($1::text[], $2::text[]) with ordinality as u(k, v, n)
             join customer_identities ci on ci.kind = u.k and ci.value = u.v
             order by u.n limit 1`,
            [kinds, values],
          )
        )[0]?.customer_id;

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
          email: identities.find((i) => i.kind === 'email')?.value ?? null,
          phone: identities.find((i) => i.kind === 'phone')?.value ?? null,
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
