/**
 * Version 13: the event log keeps only its primary key. No statement reads events by agent or by
 * ticket — the stream, its replay and the feed read `id > N` in id order, along the primary key —
 * yet every appended event (about 13 per routed task) wrote an entry into both indexes of
 * migration 1. A report that needs another access path adds the index it needs with it.
 */
export const sql = /* sql */ `
drop index events_agent_idx;
drop index events_ticket_idx;
`;
