import { isTrustedOrigin } from './app-origin.js';

/**
 * IPC sender check (Electron security checklist #17): only the main frame of one of the app's own
 * origins may call main. Subframes, about:blank, other sites and malformed URLs are refused.
 */
export function isTrustedSender(
  sender: { url: string; isMainFrame: boolean },
  trusted: readonly string[],
): boolean {
  return sender.isMainFrame && isTrustedOrigin(sender.url, trusted);
}
