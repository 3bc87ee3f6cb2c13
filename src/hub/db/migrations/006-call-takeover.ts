/**
 * Version 6: what a hub needs to take over live queue calls from another hub (issue 5). Kamailio
 * keeps a suspended transaction alive when the hub that held evapi dies; the new owner resumes
 * it with the transaction ids, and tells who hung up a connected call by the caller's From tag.
 */
export const sql = /* sql */ `
alter table calls add column tindex integer;
alter table calls add column tlabel integer;
alter table calls add column caller_tag text;
create index calls_live_idx on calls (state) where state <> 'ended';
`;
