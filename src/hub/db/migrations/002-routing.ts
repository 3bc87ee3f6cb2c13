/**
 * Version 2: what routing and exactly-once replies need — per-channel capacity, tasks, the
 * agents' idle clock, and stored idempotent replies. Existing agents get the default capacity.
 */
export const sql = /* sql */ `
alter table agents add column idle_since timestamptz;
update agents set idle_since = state_since where state = 'available';

create table agent_capacity (
  agent_id uuid not null references agents (id) on delete cascade,
  channel text not null,
  capacity integer not null check (capacity >= 0),
  primary key (agent_id, channel)
);

insert into agent_capacity (agent_id, channel, capacity)
select a.id, d.channel, d.capacity
from agents a
cross join (values ('voice', 1), ('chat', 3), ('email', 5), ('callback', 1), ('api', 5),
  ('messenger', 3)) as d (channel, capacity);

create table tasks (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references tickets (id) on delete cascade,
  queue_id uuid not null references queues (id),
  channel text not null,
  status text not null default 'queued'
    check (status in ('queued', 'offered', 'assigned', 'completed', 'canceled')),
  priority integer not null default 0,
  agent_id uuid references agents (id),
  created_at timestamptz not null default now(),
  assigned_at timestamptz,
  completed_at timestamptz
);
-- Routing drains this index in order: priority, then age.
create index tasks_queued_idx on tasks (priority desc, created_at, id) where status = 'queued';
create index tasks_agent_idx on tasks (agent_id, status, channel);
create index tasks_ticket_idx on tasks (ticket_id, status);

create table idempotency_keys (
  agent_id uuid not null references agents (id) on delete cascade,
  key uuid not null,
  request_hash text not null,
  status_code integer,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (agent_id, key)
);
`;
