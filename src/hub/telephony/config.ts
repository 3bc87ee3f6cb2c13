/** Telephony settings of a hub (CLI flags --kamailio-evapi, --telephony-key, --sip-domain, --sip-ws-url). */
export interface TelephonyConfig {
  /** Kamailio's evapi socket; null = no call routing (SIP settings and HA1s are still served). */
  evapi: { host: string; port: number } | null;
  /** Shared key Kamailio presents on /api/v1/telephony/* (HA1 lookups). */
  key: string;
  /** SIP domain / digest realm of the agents (Kamailio `alias`). */
  domain: string;
  /** The WebSocket URL consoles register to (wss:// in production). */
  wsUrl: string;
  /** Kamailio gives up ringing an agent this long before the hub's offer timeout (ms). */
  ringMarginMs: number;
  /** Standby hubs try to become the evapi owner every [min, max] ms (default 1–2 s). */
  ownerRetryMs?: [number, number];
  /** How long commands wait for a lost evapi connection before they are dropped (default 10 s). */
  holdCommandsMs?: number;
  /** How long every hub keeps Kamailio's messages for a replay after a takeover (default 30 s). */
  replayMs?: number;
}

export function telephonyConfig(
  input: Partial<TelephonyConfig> & { key: string },
): TelephonyConfig {
  return {
    evapi: input.evapi ?? null,
    key: input.key,
    domain: input.domain ?? 'concierge.local',
    wsUrl: input.wsUrl ?? 'ws://127.0.0.1:8088',
    ringMarginMs: input.ringMarginMs ?? 1000,
    ...(input.ownerRetryMs ? { ownerRetryMs: input.ownerRetryMs } : {}),
    ...(input.holdCommandsMs !== undefined ? { holdCommandsMs: input.holdCommandsMs } : {}),
    ...(input.replayMs !== undefined ? { replayMs: input.replayMs } : {}),
  };
}

/** `host:port` → parts (the --kamailio-evapi flag). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) > 65_535) throw new Error(`expected host:port, got ${text}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}
