import { type BridgeEnvelope } from '../../shared/bridge/errors.js';
import { dispatchCall, type BridgeHandlers } from '../../shared/bridge/server.js';
import { type Logger } from '../logger.js';

/** The parts of Electron's IpcMainInvokeEvent the handler looks at (structural, no electron import). */
export interface IpcCallEvent {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcCallHandlerOptions {
  handlers: BridgeHandlers;
  /** Decides from the sender frame's URL and position whether it is the app's own page. */
  isTrustedSender(sender: { url: string; isMainFrame: boolean }): boolean;
  logger: Logger;
}

/**
 * The Electron transport's call handler (wired to ipcMain.handle in src/main/electron/ipc.ts):
 * the sender frame must be the app's own main frame, and the call then goes through the same
 * dispatchCall as the WebSocket transport. Always resolves to an envelope.
 */
export function createIpcCallHandler(options: IpcCallHandlerOptions) {
  return async (event: IpcCallEvent, name: unknown, payload: unknown): Promise<BridgeEnvelope> => {
    const frame = event.senderFrame;
    const sender = frame ? { url: frame.url, isMainFrame: frame.parent === null } : null;
    if (!sender || !options.isTrustedSender(sender)) {
      options.logger.warn('refused an IPC call from an untrusted sender', {
        url: sender?.url ?? null,
        name: typeof name === 'string' ? name.slice(0, 100) : null,
      });
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    }
    return dispatchCall(options.handlers, name, payload, (error) =>
      options.logger.error('IPC call failed', { name, error }),
    );
  };
}
