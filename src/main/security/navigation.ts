import { isTrustedOrigin } from './app-origin.js';

export type NavigationClass = 'internal' | 'external-allowed' | 'blocked';

/**
 * Classifies a URL the page tries to navigate to or open, with a URL parser (never string
 * prefixes: `https://example.com.attacker.com` starts with `https://example.com`).
 * - internal: one of the app's own origins (may load in the window);
 * - external-allowed: a plain http(s) link without credentials, handed to the OS browser;
 * - blocked: everything else (javascript:, file:, data:, custom schemes, user:pass@ tricks).
 */
export function classifyNavigation(raw: string, trusted: readonly string[]): NavigationClass {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'blocked';
  }
  if (isTrustedOrigin(raw, trusted)) return 'internal';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'blocked';
  if (url.username || url.password) return 'blocked';
  if (!url.hostname) return 'blocked';
  return 'external-allowed';
}
