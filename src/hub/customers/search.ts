import { type CustomerMatch } from '../../shared/api/telephony.js';
import { type Query } from '../db/db.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from '../tickets/rows.js';
import { normalizePhone } from './match.js';

/** Phone variants worth trying: as given, and with/without the country prefix's plus sign. */
export function phoneVariants(phone: string): string[] {
  const p = normalizePhone(phone.trim());
  const set = new Set([p]);
  if (p.startsWith('+')) set.add(p.slice(1));
  else if (p.startsWith('00')) set.add(`+${p.slice(2)}`);
  else set.add(`+${p}`);
  return [...set].filter((v) => v.length > 0);
}

/** Customers owning the phone (screen pop): each with their open tickets, newest first. */
export async function customersByPhone(q: Query, phone: string): Promise<CustomerMatch[]> {
  const variants = phoneVariants(phone);
  const customers = await q<{ id: string; name: string | null }>(
    `select distinct c.id, c.name, c.created_at from customers c
     join customer_identities i on i.customer_id = c.id
     where i.kind = 'phone' and i.value = any($1::text[])
     order by c.created_at, c.id`,
    [variants],
  );
  const out: CustomerMatch[] = [];
  for (const c of customers) {
    const ids = await q<{ kind: string; value: string }>(
      `select kind, value from customer_identities where customer_id = $1 order by created_at`,
      [c.id],
    );
    const tickets = await q<TicketRow>(
      `${TICKET_SELECT} where t.customer_id = $1 and t.status = 'open' order by t.updated_at desc limit 20`,
      [c.id],
    );
    out.push({
      customer: {
        id: c.id,
        name: c.name,
        email: ids.find((i) => i.kind === 'email')?.value ?? null,
        phone: ids.find((i) => i.kind === 'phone')?.value ?? null,
      },
      openTickets: tickets.map(ticketSummary),
    });
  }
  return out;
}
