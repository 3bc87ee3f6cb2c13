import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '../../shared/bridge/contract.js';
import { openCache } from './cache.js';
import { ftsQuery } from './search.js';

describe('cache search', () => {
  it('turns typed text into a safe FTS5 query', () => {
    expect(ftsQuery('  ')).toBeNull();
    expect(ftsQuery('zamówienie "OR" kur')).toBe('"zamówienie" "OR"* "kur"*');
    expect(ftsQuery('title:paczka AND')).toBe('"title" "paczka" "AND"*');
  });

  it('finds tickets by customer, subject and message text, folding diacritics', () => {
    const cache = openCache(':memory:');
    const id = randomUUID();
    const customerId = randomUUID();
    const messageId = randomUUID();
    const at = '2026-11-22T10:00:00.000Z';
    cache.storeDetail({
      ticket: {
        id,
        number: 7,
        subject: 'Zwrot butów',
        status: 'open',
        channel: 'email',
        queueId: null,
        customerId,
        customerName: 'Żaneta Wójcik',
        assigneeId: null,
        version: 3,
        createdAt: at,
        updatedAt: at,
      },
      customer: { id: customerId, name: 'Żaneta Wójcik', email: 'zaneta@example.pl', phone: null },
      messages: [
        {
          id: messageId,
          ticketId: id,
          direction: 'in',
          authorName: 'Żaneta',
          authorAgentId: null,
          text: 'Gdzie jest moje zamówienie 4711?',
          createdAt: at,
        },
      ],
    });
    const bySubject = cache.search.search('zwrot');
    expect(bySubject[0]).toMatchObject({ ticketId: id, messageId: null, ticketNumber: 7 });
    expect(bySubject[0]!.snippet).toContain(`${SNIPPET_MARK_START}Zwrot${SNIPPET_MARK_END}`);
    expect(cache.search.search('zaneta')[0]?.ticketId).toBe(id);
    expect(cache.search.search('zaneta@example')[0]?.ticketId).toBe(id);
    const byBody = cache.search.search('zamowien');
    expect(byBody).toEqual([expect.objectContaining({ ticketId: id, messageId })]);
    expect(cache.search.search('4711')[0]?.messageId).toBe(messageId);
    expect(cache.search.search('nothing-like-this')).toEqual([]);
    cache.close();
  });
});
