/**
 * Version 9: Kamailio's messages that the evapi owner missed during a blip of its own socket.
 * The owner asks the other hubs (NOTIFY); each writes what its buffer holds for the window under
 * the request's id and answers; the owner reads and deletes the rows (see telephony/evapi-gap.ts).
 * Rows live for a second or so; ones left by an owner that died meanwhile are deleted later.
 */
export const sql = /* sql */ `
create table evapi_gap (
  request_id uuid not null,
  hub_id text not null,
  seq integer not null,
  at timestamptz not null,
  message jsonb not null,
  created_at timestamptz not null default now(),
  primary key (request_id, hub_id, seq)
);
`;
