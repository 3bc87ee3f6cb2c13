const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Browser-mode origin check for the bridge WebSocket. A page may drive the main services only if
 * it was served by this very host: its Origin must equal `http://<Host header>`, and that host must
 * be a loopback name on our port. The loopback rule defeats DNS rebinding (attacker.com resolving
 * to 127.0.0.1 would otherwise be "same origin" with itself).
 */
export function isAllowedBridgeOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  serverPort: number,
  extraOrigins: readonly string[] = [],
): boolean {
  if (!origin || !hostHeader) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (extraOrigins.includes(parsed.origin)) return true;
  if (parsed.protocol !== 'http:' || parsed.origin !== origin.replace(/\/$/, '')) return false;
  if (parsed.host !== hostHeader.toLowerCase()) return false;
  if (!LOOPBACK.has(parsed.hostname)) return false;
  return Number(parsed.port || 80) === serverPort;
}
