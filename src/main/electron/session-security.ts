import { type Session } from 'electron';
import { isTrustedOrigin } from '../security/app-origin.js';
import { buildCsp } from '../security/csp.js';
import { decidePermission } from '../security/permissions.js';

/**
 * Session-wide security: CSP header on the app's own pages (the dev server's answers; app://
 * answers carry it from the protocol handler), and the permission handlers (microphone only).
 */
export function secureSession(
  session: Session,
  trusted: readonly string[],
  devServerOrigin: string | null,
): void {
  const csp = buildCsp({ devServerOrigin });
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isTrustedOrigin(details.url, trusted) || details.resourceType !== 'mainFrame') {
      callback({});
      return;
    }
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  // Reset first, so nothing granted by an earlier handler survives.
  session.setPermissionRequestHandler(null);
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const requestingUrl = details.requestingUrl || webContents.getURL();
    callback(decidePermission({ permission, requestingUrl, mediaTypes }, trusted));
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) => {
    const mediaType = 'mediaType' in details ? details.mediaType : undefined;
    return decidePermission(
      {
        permission,
        requestingUrl: requestingOrigin,
        mediaTypes: mediaType && mediaType !== 'unknown' ? [mediaType] : [],
      },
      trusted,
    );
  });
}
