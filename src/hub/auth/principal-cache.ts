import { type HubEvent } from '../../shared/api/index.js';
import { type Query } from '../db/db.js';
import { type Principal } from './principal.js';
import { resolveToken } from './sessions.js';
import { hashToken } from './tokens.js';

/** Beyond this many cached tokens the cache starts over (it only saves statements). */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** Epoch ms after which the token is looked up again. */
  until: number;
}

/**
 * Remembers resolved bearer tokens for a short time, so the requests of a busy console do not
 * each cost a session lookup (a database round trip — three of them per routed task: the
 * inbound, the accept and the close). Bounded staleness, by design:
 * - an entry lives at most `ttlMs` and never past the session's own expiry;
 * - a logout forgets the agent's tokens at once on the hub that handled it (its `agent.logout`
 *   event passes through this hub's feed before the response is sent) and on the other hubs as
 *   soon as their feed delivers that event — so a revoked token can outlive its revocation by
 *   the feed's delay, and never by more than `ttlMs`;
 * - unknown or invalid tokens are never cached (every attempt is checked against the database).
 * Keys are token hashes; the tokens themselves are not kept.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every forget: a lookup that raced a logout does not store its stale answer. */
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(q: Query, token: string): Promise<Principal | undefined> {
    if (this.ttlMs <= 0 || token.length === 0 || token.length > 500) return resolveToken(q, token);
    const key = hashToken(token);
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.principal;
    const epoch = this.epoch;
    const principal = await resolveToken(q, token);
    if (!principal) {
      this.entries.delete(key);
      return undefined;
    }
    if (epoch === this.epoch) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      const expires = principal.kind === 'agent' ? principal.expiresAt.getTime() : Infinity;
      this.entries.set(key, { principal, until: Math.min(this.now() + this.ttlMs, expires) });
    }
    return principal;
  }

  /** Follows the event log: a logout revokes the agent's cached tokens. */
  observe(event: HubEvent): void {
    if (event.type === 'agent.logout' && event.agentId) this.forgetAgent(event.agentId);
  }

  forgetAgent(agentId: string): void {
    this.epoch++;
    for (const [key, entry] of this.entries) {
      if (entry.principal.kind === 'agent' && entry.principal.agent.id === agentId) {
        this.entries.delete(key);
      }
    }
  }
}
