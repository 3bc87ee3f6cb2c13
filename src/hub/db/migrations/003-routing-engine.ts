/**
 * Version 3: the routing engine — queue settings, agent languages/skills/membership priority,
 * the full agent and task state sets, offers (reservations), pause reasons and durable timers.
 * Queues that exist already keep the version-2 behaviour (work is assigned without an offer):
 * they become auto-accept on all their channels.
 */
export const sql = /* sql */ `
alter table queues
  add column language text,
  add column required_skills jsonb not null default '{}',
  add column offer_timeouts jsonb not null default '{}',
  add column auto_accept text[] not null default '{}',
  add column wrap_up_seconds integer not null default 0 check (wrap_up_seconds >= 0),
  add column topic_required boolean not null default false,
  add column topics text[] not null default '{}',
  add column service_level_seconds integer not null default 20 check (service_level_seconds > 0),
  add column short_abandon_seconds integer not null default 5 check (short_abandon_seconds >= 0),
  add column sla_first_response_seconds integer check (sla_first_response_seconds > 0),
  add column business_hours jsonb,
  add column max_wait_seconds integer check (max_wait_seconds > 0),
  add column max_queued integer check (max_queued > 0),
  add column mode text not null default 'push' check (mode in ('push', 'pull'));
update queues set auto_accept = channels;

alter table agents drop constraint agents_state_check;
alter table agents add constraint agents_state_check check (state in
  ('logged_out', 'offline', 'available', 'paused', 'offered', 'busy', 'wrap_up', 'disconnected'));
alter table agents alter column state set default 'logged_out';
alter table agents
  -- What the agent (or a supervisor, or the hub for "missed offer") chose; state is derived from it.
  add column selected_state text not null default 'logged_out'
    check (selected_state in ('logged_out', 'offline', 'available', 'paused')),
  add column selected_reason text,
  add column next_state text check (next_state in ('offline', 'available', 'paused')),
  add column next_reason text,
  add column languages text[] not null default '{}',
  add column skills jsonb not null default '{}',
  add column voice_exclusive boolean not null default true,
  add column wrap_task_id uuid,
  add column wrap_until timestamptz,
  add column wrap_extended boolean not null default false,
  add column wrap_started_at timestamptz,
  add column last_heartbeat_at timestamptz,
  add column disconnected_at timestamptz,
  add column missed_offers integer not null default 0;
update agents set selected_state = state, selected_reason = state_reason;

alter table agent_queues add column priority integer not null default 0;

create table pause_reasons (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{0,39}$'),
  label text not null,
  -- System reasons are set by the hub (missed offer), never chosen by an agent.
  system boolean not null default false,
  enabled boolean not null default true,
  sort integer not null default 0
);
insert into pause_reasons (code, label, system, sort) values
  ('break', 'Break', false, 1),
  ('training', 'Training', false, 2),
  ('administrative', 'Administrative', false, 3),
  ('back_office', 'Back office', false, 4),
  ('callback', 'Callback', false, 5),
  ('missed_offer', 'Missed offer', true, 6);

alter table tasks drop constraint tasks_status_check;
alter table tasks add constraint tasks_status_check check (status in ('queued', 'offered',
  'assigned', 'wrapping', 'completed', 'canceled', 'abandoned', 'timed_out'));
alter table tasks
  add column sla_deadline timestamptz,
  add column language text,
  add column skills jsonb not null default '{}',
  add column offer_count integer not null default 0,
  add column topic text,
  add column wrap_started_at timestamptz;
drop index tasks_queued_idx;
-- Routing drains this index in order: priority, then SLA deadline, then age.
create index tasks_queued_idx on tasks (priority desc, sla_deadline nulls last, created_at, id)
  where status = 'queued';

create table offers (
  id uuid primary key default gen_random_uuid(),
  task_id uuid not null references tasks (id) on delete cascade,
  agent_id uuid not null references agents (id) on delete cascade,
  status text not null default 'pending'
    check (status in ('pending', 'accepted', 'rejected', 'timed_out', 'revoked')),
  auto_accepted boolean not null default false,
  offered_at timestamptz not null,
  expires_at timestamptz not null,
  answered_at timestamptz,
  reason text
);
-- The database itself refuses a task offered twice at once or an agent holding two offers.
create unique index offers_pending_task_idx on offers (task_id) where status = 'pending';
create unique index offers_pending_agent_idx on offers (agent_id) where status = 'pending';
create index offers_task_agent_idx on offers (task_id, agent_id);

-- Every hub timer is a row: it survives restarts, and any hub may fire it (SKIP LOCKED claims).
create table timers (
  id bigserial primary key,
  key text not null unique,
  kind text not null,
  due_at timestamptz not null,
  agent_id uuid,
  task_id uuid,
  offer_id uuid,
  data jsonb not null default '{}'
);
create index timers_due_idx on timers (due_at);
`;
