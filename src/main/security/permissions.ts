import { isTrustedOrigin } from './app-origin.js';

export interface PermissionQuery {
  permission: string;
  /** URL (or origin) of the frame asking. */
  requestingUrl: string;
  /** For 'media': the kinds asked for ('audio', 'video'); empty or absent means unknown. */
  mediaTypes?: readonly string[];
}

/**
 * Electron grants every permission unless told otherwise (checklist #5). Concierge needs exactly
 * one: the microphone ('media' with audio only) for calls, from its own pages. All else is denied.
 */
export function decidePermission(query: PermissionQuery, trusted: readonly string[]): boolean {
  if (query.permission !== 'media') return false;
  if (!isTrustedOrigin(query.requestingUrl, trusted)) return false;
  const types = query.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'audio');
}
