/**
 * Version 11: the reply-conflict versions of migration 4 are written by the statements that know
 * them, and the deferred triggers only fill in for the others. A new ticket's first message
 * (ticket version 1) and an assignment that bumps the version in the same UPDATE set
 * `messages.ticket_version` / `tickets.assignee_version` themselves; the trigger ran a second
 * UPDATE of the same row at every commit (two per routed task, ~0.25 ms of the database's time).
 * Any value above the last committed version and at most the transaction's final one answers
 * "changed since version V?" the same for every V a client can have seen (a committed one).
 */
export const sql = /* sql */ `
drop trigger messages_visible_version on messages;
create constraint trigger messages_visible_version after insert on messages
  deferrable initially deferred for each row
  when (new.ticket_version is null)
  execute function messages_visible_version();

drop trigger tickets_assignee_version on tickets;
create constraint trigger tickets_assignee_version after update of assignee_id on tickets
  deferrable initially deferred for each row
  when (old.assignee_id is distinct from new.assignee_id
        and new.assignee_version is not distinct from old.assignee_version)
  execute function tickets_assignee_version();
`;
