import { afterEach, describe, expect, it } from 'vitest';
import { type CallHistoryEntry } from '../../shared/bridge/phone.js';
import { openCache, type Cache } from './cache.js';
import { CallHistoryRepository, type SkippedCallHistoryRow } from './call-history.js';

const agentA = { hubUrl: 'http://hub.test', agentId: '11111111-1111-4111-8111-111111111111' };
const agentB = { hubUrl: 'http://hub.test', agentId: '22222222-2222-4222-8222-222222222222' };
const otherHub = { hubUrl: 'http://other.test', agentId: agentA.agentId };

const entry = (n: number, patch: Partial<CallHistoryEntry> = {}): CallHistoryEntry => ({
  id: `call-${n}`,
  direction: 'in',
  state: 'ended',
  remote: `+4860010${String(n).padStart(4, '0')}`,
  remoteName: null,
  queue: 'sales',
  held: false,
  startedAt: '2026-01-01T10:00:00.000Z',
  answeredAt: '2026-01-01T10:00:05.000Z',
  endedAt: '2026-01-01T10:01:05.000Z',
  consultFor: null,
  endReason: 'hangup',
  durationMs: 60_000,
  ...patch,
});

let cache: Cache | null = null;
afterEach(() => {
  cache?.close();
  cache = null;
});

describe('call history repository', () => {
  it('lists one agent on one hub, newest first', () => {
    cache = openCache(':memory:');
    cache.callHistory.add(agentA, entry(1));
    cache.callHistory.add(agentB, entry(2));
    cache.callHistory.add(agentA, entry(3, { direction: 'out', answeredAt: null, durationMs: 0 }));
    cache.callHistory.add(otherHub, entry(4));
    expect(cache.callHistory.list(agentA)).toEqual([
      entry(3, { direction: 'out', answeredAt: null, durationMs: 0 }),
      entry(1),
    ]);
    expect(cache.callHistory.list(agentB).map((e) => e.id)).toEqual(['call-2']);
    expect(cache.callHistory.list(otherHub).map((e) => e.id)).toEqual(['call-4']);
  });

  it('keeps the newest N per agent, pruning on insert, and leaves other agents alone', () => {
    cache = openCache(':memory:');
    const repo = new CallHistoryRepository(cache.db, 3);
    repo.add(agentB, entry(100));
    for (let n = 1; n <= 5; n++) repo.add(agentA, entry(n));
    expect(repo.list(agentA).map((e) => e.id)).toEqual(['call-5', 'call-4', 'call-3']);
    expect(repo.list(agentB).map((e) => e.id)).toEqual(['call-100']);
    expect(cache.db.prepare('SELECT COUNT(*) AS n FROM call_history').get()).toEqual({ n: 4 });
  });

  it('stores a call recorded twice once, at the top', () => {
    cache = openCache(':memory:');
    cache.callHistory.add(agentA, entry(1));
    cache.callHistory.add(agentA, entry(2));
    cache.callHistory.add(agentA, entry(1, { endReason: 'transferred' }));
    expect(cache.callHistory.list(agentA).map((e) => [e.id, e.endReason])).toEqual([
      ['call-1', 'transferred'],
      ['call-2', 'hangup'],
    ]);
  });

  it('refuses to store an entry that is not valid', () => {
    cache = openCache(':memory:');
    expect(() => cache!.callHistory.add(agentA, entry(1, { durationMs: -5 }))).toThrow();
    expect(cache.callHistory.list(agentA)).toEqual([]);
  });

  it('skips (and reports) rows with broken JSON or an invalid entry instead of throwing', () => {
    cache = openCache(':memory:');
    for (let n = 1; n <= 4; n++) cache.callHistory.add(agentA, entry(n));
    const update = cache.db.prepare('UPDATE call_history SET data = ? WHERE call_id = ?');
    update.run('{"id": "call-2", "direction": ', 'call-2');
    update.run(JSON.stringify({ ...entry(3), direction: 'sideways' }), 'call-3');
    const skipped: SkippedCallHistoryRow[] = [];
    expect(cache.callHistory.list(agentA, (row) => skipped.push(row)).map((e) => e.id)).toEqual([
      'call-4',
      'call-1',
    ]);
    expect(skipped.map((s) => s.callId)).toEqual(['call-3', 'call-2']);
    expect(skipped[1]!.reason).toMatch(/bad JSON/);
    // Without a listener the rows are skipped all the same.
    expect(cache.callHistory.list(agentA)).toHaveLength(2);
  });
});
