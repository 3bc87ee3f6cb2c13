/** Browser-mode desktop notifications (in Electron, main shows native ones instead). */
export const notificationsSupported = (): boolean => typeof Notification !== 'undefined';

/** Must run inside a user gesture (the sign-in click), or browsers ignore the request. */
export function requestNotificationPermission(): void {
  if (!notificationsSupported() || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

export function showDesktopNotification(
  title: string,
  body: string,
  tag: string,
  onClick: () => void,
): void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      onClick();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the sound still plays.
  }
}
