import { Notification as OsNotification, type BrowserWindow } from 'electron';
import { type Notification } from '../../shared/bridge/contract.js';
import { type Notifier } from '../services.js';

/** Desktop notifications through the OS; clicking one brings the console to the front. */
export function createElectronNotifier(getWindow: () => BrowserWindow | null): Notifier {
  return {
    notify(notification: Notification) {
      if (!OsNotification.isSupported()) return;
      const shown = new OsNotification({
        title: notification.title,
        body: notification.body,
        silent: true, // the renderer plays the ring; the OS sound would double it
      });
      shown.on('click', () => {
        const window = getWindow();
        if (!window) return;
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
      });
      shown.show();
    },
  };
}
