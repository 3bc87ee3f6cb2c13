import { WebSocket as WsWebSocket } from 'ws';

/**
 * sip.js' transport does `new WebSocket(url, 'sip')`; Node 20 has no stable global WebSocket, so
 * main installs the `ws` one before the first user agent starts (reference §6.1). Electron's
 * main process is Node as well. A global that already exists is left alone.
 */
export function installWebSocket(): void {
  const g = globalThis as { WebSocket?: unknown };
  if (typeof g.WebSocket !== 'function') g.WebSocket = WsWebSocket;
}
