import { describe, expect, it } from 'vitest';
import { type HubEvent } from '../../shared/api/index.js';
import { type Query, type Row } from '../db/db.js';
import { PrincipalCache } from './principal-cache.js';
import { hashToken } from './tokens.js';

const AGENT = {
  id: '0190b0a4-0000-7000-8000-0000000000a1',
  login: 'agent1',
  name: 'Agent One',
  roles: ['agent'],
};

/** A database with sessions and integration tokens, counting the statements it is asked. */
function fakeDb() {
  const sessions = new Map<string, { expires: Date }>();
  const integrations = new Map<string, string>();
  const db = {
    statements: 0,
    sessions,
    integrations,
    /** Resolves the next lookup only when `release` is called (a lookup racing a logout). */
    hold: undefined as Promise<void> | undefined,
  };
  const query = (async (sql: string, params: readonly unknown[] = []) => {
    db.statements++;
    const hash = params[0] as string;
    const s = sessions.get(hash);
    const name = integrations.get(hash);
    // The statement has read the rows; its answer may arrive later.
    if (db.hold) await db.hold;
    if (sql.includes('from sessions'))
      return s ? [{ ...AGENT, session_expires_at: s.expires }] : [];
    return name ? [{ id: 'i1', name }] : [];
  }) as Query;
  return {
    db,
    query: query as <T extends Row = Row>(s: string, p?: readonly unknown[]) => Promise<T[]>,
  };
}

const logout = (agentId: string): HubEvent => ({
  id: 1,
  type: 'agent.logout',
  occurredAt: new Date().toISOString(),
  agentId,
  ticketId: null,
  taskId: null,
  queueId: null,
  data: {},
});

describe('PrincipalCache', () => {
  it('answers repeated requests of a token from memory until the TTL runs out', async () => {
    let now = 1_000_000;
    const { db, query } = fakeDb();
    db.sessions.set(hashToken('tok-a'), { expires: new Date(now + 3_600_000) });
    const cache = new PrincipalCache(1000, () => now);
    for (let i = 0; i < 5; i++) {
      expect(await cache.resolve(query, 'tok-a')).toMatchObject({ kind: 'agent', agent: AGENT });
    }
    expect(db.statements).toBe(1);
    now += 1001;
    // The session was deleted in the meantime: after the TTL the database says so.
    db.sessions.clear();
    expect(await cache.resolve(query, 'tok-a')).toBeUndefined();
    expect(db.statements).toBe(3); // session, then integration token
  });

  it('never trusts a session past its own expiry', async () => {
    let now = 1_000_000;
    const { db, query } = fakeDb();
    db.sessions.set(hashToken('tok-b'), { expires: new Date(now + 200) });
    const cache = new PrincipalCache(60_000, () => now);
    await cache.resolve(query, 'tok-b');
    now += 150;
    await cache.resolve(query, 'tok-b');
    expect(db.statements).toBe(1);
    now += 100;
    db.sessions.clear(); // expired: the database no longer returns it
    expect(await cache.resolve(query, 'tok-b')).toBeUndefined();
  });

  it('forgets an agent at its logout event, and does not keep a lookup that raced it', async () => {
    const { db, query } = fakeDb();
    db.sessions.set(hashToken('tok-c'), { expires: new Date(Date.now() + 3_600_000) });
    const cache = new PrincipalCache(60_000);
    await cache.resolve(query, 'tok-c');
    cache.observe(logout('someone-else'));
    await cache.resolve(query, 'tok-c');
    expect(db.statements).toBe(1);

    cache.observe(logout(AGENT.id));
    let release!: () => void;
    db.hold = new Promise((r) => (release = r));
    const racing = cache.resolve(query, 'tok-c'); // read the session before the logout committed
    db.sessions.clear();
    cache.forgetAgent(AGENT.id); // the logout commits while the lookup is in flight
    release();
    db.hold = undefined;
    expect(await racing).toMatchObject({ kind: 'agent' });
    // The raced answer was not stored: the next request asks the database, which refuses.
    expect(await cache.resolve(query, 'tok-c')).toBeUndefined();
    expect(db.statements).toBe(4);
  });

  it('does not cache unknown tokens, caches integration tokens, and can be turned off', async () => {
    const { db, query } = fakeDb();
    const cache = new PrincipalCache(60_000);
    expect(await cache.resolve(query, 'nope')).toBeUndefined();
    expect(await cache.resolve(query, 'nope')).toBeUndefined();
    expect(db.statements).toBe(4);
    db.integrations.set(hashToken('int-1'), 'shop');
    await cache.resolve(query, 'int-1');
    expect(await cache.resolve(query, 'int-1')).toEqual({
      kind: 'integration',
      tokenId: 'i1',
      name: 'shop',
    });
    expect(db.statements).toBe(6);

    const off = new PrincipalCache(0);
    await off.resolve(query, 'int-1');
    await off.resolve(query, 'int-1');
    expect(db.statements).toBe(10);
  });
});
