import { z } from 'zod';
import { AgentProfile, AgentStatus } from '../../shared/domain/index.js';

/** What the cache remembers about the session. The token is never here: it is in the SecretStore. */
export const StoredSession = z.object({
  hubUrl: z.string(),
  agent: AgentProfile,
  agentStatus: AgentStatus.nullable(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** The stream position, valid only for the hub and agent it was read for. */
export const StoredCursor = z.object({
  hubUrl: z.string(),
  agentId: z.string(),
  eventId: z.number().int().nonnegative(),
});
export type StoredCursor = z.infer<typeof StoredCursor>;

export const META_SESSION = 'session';
export const META_LAST_HUB_URL = 'lastHubUrl';
export const META_STREAM_CURSOR = 'streamCursor';

/** One spelling per hub so cursors and sessions compare equal: origin + path, no trailing slash. */
export function normalizeHubUrl(raw: string): string {
  const url = new URL(raw.trim());
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
