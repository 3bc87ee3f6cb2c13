import { ipcMain, type WebContents } from 'electron';
import { type EventName } from '../../shared/bridge/contract.js';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/bridge/ws-protocol.js';
import { createIpcCallHandler } from '../bridge/ipc-handler.js';
import { type Logger } from '../logger.js';
import { isTrustedSender } from '../security/sender.js';
import { type Services } from '../services.js';

/**
 * The Electron transport: calls through ipcMain.handle (sender checked, payload validated by the
 * shared dispatcher), events pushed to the window with webContents.send.
 */
export function wireIpc(
  services: Services,
  trusted: readonly string[],
  getContents: () => WebContents | null,
  logger: Logger,
): () => void {
  const handle = createIpcCallHandler({
    handlers: services.handlers,
    isTrustedSender: (sender) => isTrustedSender(sender, trusted),
    logger,
  });
  ipcMain.handle(IPC_CALL_CHANNEL, (event, name: unknown, payload: unknown) =>
    handle({ senderFrame: event.senderFrame ?? null }, name, payload),
  );
  const unsubscribe = services.onEvent((name: EventName, payload: unknown) => {
    const contents = getContents();
    if (!contents || contents.isDestroyed()) return;
    // Only to the app's own page: a navigation that slipped through must not receive events.
    if (!isTrustedSender({ url: contents.getURL(), isMainFrame: true }, trusted)) return;
    contents.send(IPC_EVENT_CHANNEL, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}
