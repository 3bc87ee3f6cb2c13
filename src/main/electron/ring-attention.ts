import { app, Notification as OsNotification, type BrowserWindow } from 'electron';
import { type PhoneCall } from '../../shared/bridge/phone.js';

/**
 * An incoming call must not be missed when the window is hidden or minimised: the window is
 * created with backgroundThrottling off (the ringtone and SIP timers keep running), and while
 * a call rings the taskbar button flashes (Windows/Linux), the dock bounces (macOS) and an OS
 * notification names the caller; clicking it brings the console to the front.
 */
export function createRingAttention(getWindow: () => BrowserWindow | null) {
  let bounce: number | null = null;
  let shown: OsNotification | null = null;
  const reveal = () => {
    const window = getWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  return (call: PhoneCall | null): void => {
    const window = getWindow();
    if (!call) {
      window?.flashFrame(false);
      if (bounce !== null) app.dock?.cancelBounce(bounce);
      bounce = null;
      shown?.close();
      shown = null;
      return;
    }
    if (window && !window.isFocused()) window.flashFrame(true);
    if (process.platform === 'darwin') bounce = app.dock?.bounce('critical') ?? null;
    if (OsNotification.isSupported()) {
      shown = new OsNotification({
        title: call.queue ? `${call.remote} · ${call.queue}` : call.remote,
        body: call.remoteName ?? '',
        silent: true, // the renderer's ringtone plays on the chosen ring device
        urgency: 'critical',
      });
      shown.on('click', reveal);
      shown.show();
    }
  };
}
