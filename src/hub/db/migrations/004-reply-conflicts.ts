/**
 * Version 4: what a conditional reply (`If-Match: "<version>"`) needs to tell *why* a ticket
 * changed since the version the reply was written against, plus the stream's retained horizon.
 *
 * - `messages.ticket_version`: the ticket version at which the message became visible. Set by a
 *   deferred trigger at commit, so it is the transaction's final version whatever order the code
 *   inserted the message and bumped the version in. NULL (older rows) counts as 0.
 * - `tickets.assignee_version`: the ticket version of the last assignee change, same technique.
 * - `event_retention.pruned_through`: events with an id at or below it are no longer kept; a
 *   stream resuming from there is answered `cursor_too_old`. 0 = everything is kept (today).
 */
export const sql = /* sql */ `
alter table messages add column ticket_version integer;
alter table tickets add column assignee_version integer not null default 0;

create function messages_visible_version() returns trigger language plpgsql as $$
begin
  update messages set ticket_version = (select version from tickets where id = new.ticket_id)
   where id = new.id;
  return null;
end $$;
create constraint trigger messages_visible_version after insert on messages
  deferrable initially deferred for each row execute function messages_visible_version();

create function tickets_assignee_version() returns trigger language plpgsql as $$
begin
  update tickets set assignee_version = version where id = new.id;
  return null;
end $$;
create constraint trigger tickets_assignee_version after update of assignee_id on tickets
  deferrable initially deferred for each row
  when (old.assignee_id is distinct from new.assignee_id)
  execute function tickets_assignee_version();

create table event_retention (
  only_row boolean primary key default true check (only_row),
  pruned_through bigint not null default 0
);
insert into event_retention default values;
`;
