/**
 * Version 5: telephony (issue 5) — each agent's SIP account and the log of queue calls.
 * Only the HA1 (md5 of user:domain:secret) is stored: Kamailio checks digests with it and the
 * console authenticates with it, so the plain secret is never kept anywhere.
 */
export const sql = /* sql */ `
create table sip_accounts (
  agent_id uuid primary key references agents (id) on delete cascade,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  domain text not null,
  ha1 text not null check (ha1 ~ '^[0-9a-f]{32}$'),
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);

create table calls (
  id uuid primary key default gen_random_uuid(),
  call_id text not null unique,
  queue_name text not null,
  from_number text not null,
  state text not null check (state in ('waiting', 'ringing', 'connected', 'ended')),
  task_id uuid references tasks (id) on delete set null,
  ticket_id uuid references tickets (id) on delete set null,
  customer_id uuid references customers (id) on delete set null,
  agent_id uuid references agents (id) on delete set null,
  offered_to uuid[] not null default '{}',
  entered_at timestamptz not null,
  answered_at timestamptz,
  ended_at timestamptz,
  outcome text,
  callback_task_id uuid references tasks (id) on delete set null
);
create index calls_entered_idx on calls (entered_at);
`;
