import { describe, expect, it } from 'vitest';
import { type CustomerMatch } from '../../../shared/api/telephony.js';
import { knownCustomers } from './screen-pop-rule.js';

const match = (id: string, name: string | null, email: string | null): CustomerMatch => ({
  customer: { id, name, email, phone: '+48600100200' },
  openTickets: [],
});

describe('screen pop', () => {
  it('treats a customer known only by the number as a new customer', () => {
    expect(knownCustomers([match('a', null, null)])).toEqual([]);
  });
  it('keeps customers with a name or an e-mail (one → shown, several → chooser)', () => {
    const list = [
      match('a', 'Ewa', null),
      match('b', null, 'jan@example.com'),
      match('c', null, null),
    ];
    expect(knownCustomers(list).map((m) => m.customer.id)).toEqual(['a', 'b']);
  });
});
