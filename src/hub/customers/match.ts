import { type Query } from '../db/db.js';
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

  let customerId: string | undefined;
  for (const id of identities) {
    const rows = await q<{ customer_id: string }>(
      'select customer_id from customer_identities where kind = $1 and value = $2',
      [id.kind, id.value],
    );
    if (rows[0]) {
      customerId = rows[0].customer_id;
      break;
    }
  }

  const events: NewEvent[] = [];
  if (!customerId) {
    const rows = await q<{ id: string }>('insert into customers (name) values ($1) returning id', [
      from.name ?? null,
    ]);
    customerId = rows[0]!.id;
    for (const id of identities) {
      // No ON CONFLICT: losing a race must abort this attempt (see above).
      await q('insert into customer_identities (customer_id, kind, value) values ($1, $2, $3)', [
        customerId,
        id.kind,
        id.value,
      ]);
    }
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

  // Serialises concurrent messages of one customer, so two of them cannot both find "no open
  // ticket" and open two tickets.
  await q('select id from customers where id = $1 for update', [customerId]);
  for (const id of identities) {
    await q(
      `insert into customer_identities (customer_id, kind, value) values ($1, $2, $3)
       on conflict (kind, value) do nothing`,
      [customerId, id.kind, id.value],
    );
  }
  if (from.name) {
    await q('update customers set name = $2 where id = $1 and name is null', [
      customerId,
      from.name,
    ]);
  }
  return { customerId, created: false, events };
}
