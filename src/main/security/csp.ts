/**
 * Content-Security-Policy of the app's pages. Production: only the app's own scripts; styles may be
 * inline because Mantine injects <style> tags; no network access from the page (it talks to main
 * over IPC). Development adds the Vite dev server (its HMR socket and React refresh preamble).
 * Browser mode adds `connectSources` for the loopback bridge socket (`?bridge=` override).
 */
export function buildCsp(
  options: { devServerOrigin?: string | null; connectSources?: readonly string[] } = {},
): string {
  const dev = options.devServerOrigin ?? null;
  const ws = dev ? dev.replace(/^http/, 'ws') : null;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': dev ? ["'self'", "'unsafe-inline'", dev] : ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'", 'data:', 'blob:'],
    'connect-src': ["'self'", ...(dev && ws ? [dev, ws] : []), ...(options.connectSources ?? [])],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'worker-src': ["'self'", 'blob:'],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
