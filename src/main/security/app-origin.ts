/** The app's own pages in a packaged build are served from this custom scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'concierge';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Origin of a URL as "scheme://host[:port]". URL.origin is the string "null" for non-special
 * schemes such as app:, so it cannot be used to compare custom-scheme origins.
 */
export function originOf(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!url.host) return null;
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** Trusted origins of this run: the custom scheme, plus the dev server in development. */
export function trustedOrigins(devServerUrl: string | undefined): string[] {
  const origins = [APP_ORIGIN];
  const dev = devServerUrl ? originOf(devServerUrl) : null;
  if (dev && /^https?:\/\//.test(dev)) origins.push(dev);
  return origins;
}

export const isTrustedOrigin = (raw: string, trusted: readonly string[]): boolean => {
  const origin = originOf(raw);
  return origin !== null && trusted.includes(origin);
};
