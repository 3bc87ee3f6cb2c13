import { ensureAgent } from '../agents/create.js';
import { hashToken } from '../auth/tokens.js';
import { type HubContext } from '../context.js';
import { normalizePhone } from '../customers/match.js';
import { createQueue } from '../routing/queues.js';
import {
  DEMO_AGENTS,
  DEMO_CUSTOMERS,
  DEMO_INTEGRATION_TOKEN,
  DEMO_PASSWORD,
  DEMO_QUEUES,
} from './data.js';

/**
 * Seeds the demo: queues, agents (password `demo`), the integration token and a few customers.
 * Idempotent — every row is matched by its natural key first, so `--demo` on an existing data
 * directory changes nothing.
 */
export async function seedDemo(ctx: HubContext): Promise<void> {
  await ctx.tx(async (q) => {
    for (const queue of DEMO_QUEUES) await createQueue(q, queue);
    for (const agent of DEMO_AGENTS) {
      await ensureAgent(q, { ...agent, password: DEMO_PASSWORD }, ctx.config.scryptCost);
    }
    await q(
      `insert into integration_tokens (name, token_hash) values ('demo', $1)
       on conflict (token_hash) do nothing`,
      [hashToken(DEMO_INTEGRATION_TOKEN)],
    );
    for (const c of DEMO_CUSTOMERS) {
      const ids: [string, string][] = [];
      if (c.email) ids.push(['email', c.email]);
      if (c.phone) ids.push(['phone', normalizePhone(c.phone)]);
      const known = await q(
        `select 1 from customer_identities where (kind, value) in
           (select * from unnest($1::text[], $2::text[]))`,
        [ids.map((i) => i[0]), ids.map((i) => i[1])],
      );
      if (known.length > 0) continue;
      const rows = await q<{ id: string }>(
        'insert into customers (name) values ($1) returning id',
        [c.name],
      );
      for (const [kind, value] of ids) {
        await q('insert into customer_identities (customer_id, kind, value) values ($1, $2, $3)', [
          rows[0]!.id,
          kind,
          value,
        ]);
      }
    }
  });
}
