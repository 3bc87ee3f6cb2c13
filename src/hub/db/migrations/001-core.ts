/**
 * Version 1: people, customers, tickets, messages and the event log. Never edit a released
 * migration: add a new one (databases in the field are already at this version).
 */
export const sql = /* sql */ `
create table agents (
  id uuid primary key default gen_random_uuid(),
  login text not null unique,
  name text not null,
  password_hash text not null,
  roles text[] not null check (cardinality(roles) > 0
    and roles <@ array['agent', 'supervisor', 'admin']::text[]),
  state text not null default 'offline' check (state in ('available', 'paused', 'offline')),
  state_reason text,
  state_since timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create table sessions (
  token_hash text primary key,
  agent_id uuid not null references agents (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_agent_idx on sessions (agent_id);

create table integration_tokens (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create table queues (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  channels text[] not null default '{}',
  priority integer not null default 0,
  created_at timestamptz not null default now()
);

create table agent_queues (
  agent_id uuid not null references agents (id) on delete cascade,
  queue_id uuid not null references queues (id) on delete cascade,
  primary key (agent_id, queue_id)
);
create index agent_queues_queue_idx on agent_queues (queue_id);

create table customers (
  id uuid primary key default gen_random_uuid(),
  name text,
  created_at timestamptz not null default now()
);

create table customer_identities (
  customer_id uuid not null references customers (id) on delete cascade,
  kind text not null check (kind in ('email', 'phone', 'external')),
  value text not null,
  created_at timestamptz not null default now(),
  primary key (kind, value)
);
create index customer_identities_customer_idx on customer_identities (customer_id);

create sequence ticket_number_seq;
create table tickets (
  id uuid primary key default gen_random_uuid(),
  number bigint not null unique default nextval('ticket_number_seq'),
  subject text not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  channel text not null,
  queue_id uuid references queues (id),
  customer_id uuid not null references customers (id),
  assignee_id uuid references agents (id),
  version integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz
);
alter sequence ticket_number_seq owned by tickets.number;
create index tickets_customer_idx on tickets (customer_id, status);
create index tickets_assignee_idx on tickets (assignee_id, status);

create table messages (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references tickets (id) on delete cascade,
  channel text not null,
  direction text not null check (direction in ('in', 'out')),
  text text not null,
  author_name text,
  author_agent_id uuid references agents (id),
  external_id text,
  created_at timestamptz not null default now()
);
create index messages_ticket_idx on messages (ticket_id, created_at);
-- A channel that re-delivers a message (webhook retry) must not create it twice.
create unique index messages_inbound_external_idx on messages (channel, external_id)
  where direction = 'in' and external_id is not null;

create table events (
  id bigserial primary key,
  type text not null,
  occurred_at timestamptz not null default now(),
  agent_id uuid,
  ticket_id uuid,
  task_id uuid,
  queue_id uuid,
  data jsonb not null default '{}'
);
create index events_agent_idx on events (agent_id, id);
create index events_ticket_idx on events (ticket_id, id);

-- The event log is append-only: history is never rewritten.
create function events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'events is append-only (% refused)', tg_op;
end;
$$;
create trigger events_no_update before update or delete on events
  for each row execute function events_append_only();
`;
