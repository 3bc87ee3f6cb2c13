/** Where the browser-mode bridge lives: `?bridge=<ws url>` if given, else `/bridge` on this host. */
export function bridgeUrlFor(location: { protocol: string; host: string; search: string }): string {
  const override = new URLSearchParams(location.search).get('bridge');
  if (override) {
    let parsed: URL | null;
    try {
      parsed = new URL(override);
    } catch {
      parsed = null;
    }
    if (parsed && (parsed.protocol === 'ws:' || parsed.protocol === 'wss:')) return parsed.href;
    console.warn('Ignoring ?bridge=: it must be a ws:// or wss:// URL');
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/bridge`;
}
