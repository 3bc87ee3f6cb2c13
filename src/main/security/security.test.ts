import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, originOf, trustedOrigins } from './app-origin.js';
import { resolveAppAsset } from './app-protocol.js';
import { buildCsp } from './csp.js';
import { classifyNavigation } from './navigation.js';
import { decidePermission } from './permissions.js';
import { isTrustedSender } from './sender.js';
import { secureWebPreferences } from './web-preferences.js';

const prod = trustedOrigins(undefined);
const dev = trustedOrigins('http://localhost:5173/');

describe('trusted origins', () => {
  it('are the app scheme, plus the dev server only in development', () => {
    expect(prod).toEqual([APP_ORIGIN]);
    expect(dev).toEqual([APP_ORIGIN, 'http://localhost:5173']);
    expect(trustedOrigins('file:///etc/passwd')).toEqual([APP_ORIGIN]);
  });

  it('compare custom-scheme origins (URL.origin is "null" for them)', () => {
    expect(originOf('app://concierge/index.html')).toBe('app://concierge');
    expect(originOf('APP://Concierge/x')).toBe('app://concierge');
    expect(originOf('not a url')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
  });
});

describe('isTrustedSender', () => {
  it.each([
    ['app://concierge/index.html', true, prod, true],
    ['app://concierge/', true, prod, true],
    ['app://concierge/index.html', false, prod, false], // subframe
    ['app://concierge.evil.com/index.html', true, prod, false],
    ['app://evil/index.html', true, prod, false],
    ['https://concierge/index.html', true, prod, false],
    ['http://localhost:5173/', true, prod, false], // dev server not trusted in production
    ['http://localhost:5173/', true, dev, true],
    ['http://localhost:5174/', true, dev, false],
    ['http://localhost:5173.attacker.com/', true, dev, false],
    ['http://attacker.com/?u=http://localhost:5173', true, dev, false],
    ['about:blank', true, prod, false],
    ['file:///app/index.html', true, prod, false],
    ['', true, prod, false],
    ['::not a url::', true, prod, false],
  ])('%s (main frame: %s) → %s', (url, isMainFrame, trusted, expected) => {
    expect(isTrustedSender({ url, isMainFrame }, trusted)).toBe(expected);
  });
});

describe('classifyNavigation', () => {
  it.each([
    ['app://concierge/index.html', dev, 'internal'],
    ['http://localhost:5173/#/ticket/1', dev, 'internal'],
    ['http://localhost:5173/', prod, 'external-allowed'],
    ['https://example.com/orders/4711', prod, 'external-allowed'],
    ['http://example.com', prod, 'external-allowed'],
    ['https://example.com.attacker.com/', prod, 'external-allowed'], // never internal
    ['http://localhost.attacker.com:5173/', dev, 'external-allowed'],
    ['http://localhost:5173.attacker.com/', dev, 'blocked'], // not even a valid URL
    ['app://concierge.attacker.com/', prod, 'blocked'],
    ['https://user:pass@example.com/', prod, 'blocked'],
    ['https://example.com@attacker.com/', prod, 'blocked'],
    ['javascript:alert(1)', prod, 'blocked'],
    ['JaVaScRiPt:alert(1)', prod, 'blocked'],
    ['file:///etc/passwd', prod, 'blocked'],
    ['data:text/html,<script>alert(1)</script>', prod, 'blocked'],
    ['smb://server/share', prod, 'blocked'],
    ['ms-msdt:/id PCWDiagnostic', prod, 'blocked'],
    ['about:blank', prod, 'blocked'],
    ['not a url', prod, 'blocked'],
  ] as const)('%s → %s', (url, trusted, expected) => {
    expect(classifyNavigation(url, trusted)).toBe(expected);
  });
});

describe('decidePermission', () => {
  it.each([
    ['media', 'app://concierge/index.html', ['audio'], true],
    ['media', 'app://concierge', ['audio'], true],
    ['media', 'app://concierge/index.html', ['video'], false],
    ['media', 'app://concierge/index.html', ['audio', 'video'], false],
    ['media', 'app://concierge/index.html', [], false],
    ['media', 'https://evil.example/', ['audio'], false],
    ['media', 'app://concierge.evil/', ['audio'], false],
    ['geolocation', 'app://concierge/index.html', [], false],
    ['notifications', 'app://concierge/index.html', [], false],
    ['clipboard-read', 'app://concierge/index.html', [], false],
    ['openExternal', 'app://concierge/index.html', [], false],
    ['display-capture', 'app://concierge/index.html', [], false],
  ])('%s from %s %j → %s', (permission, requestingUrl, mediaTypes, expected) => {
    expect(decidePermission({ permission, requestingUrl, mediaTypes }, prod)).toBe(expected);
  });
});

describe('buildCsp', () => {
  const parse = (csp: string) =>
    Object.fromEntries(
      csp.split('; ').map((d) => {
        const [name, ...values] = d.split(' ');
        return [name, values];
      }),
    );

  it('allows only the app’s own scripts and no network in production', () => {
    const csp = parse(buildCsp());
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(JSON.stringify(csp)).not.toContain('unsafe-eval');
  });

  it('adds the dev server (scripts and its HMR socket) only when given', () => {
    const csp = parse(buildCsp({ devServerOrigin: 'http://localhost:5173' }));
    expect(csp['script-src']).toContain('http://localhost:5173');
    expect(csp['connect-src']).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173']);
  });
});

describe('secureWebPreferences', () => {
  it('sets every security switch explicitly', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      backgroundThrottling: false,
      v8CacheOptions: 'bypassHeatCheck',
    });
  });
});

describe('resolveAppAsset', () => {
  const root = '/app/out/renderer';
  it.each([
    ['app://concierge/index.html', '/app/out/renderer/index.html'],
    ['app://concierge/', '/app/out/renderer/index.html'],
    ['app://concierge/tickets/123', '/app/out/renderer/index.html'],
    ['app://concierge/assets/index-abc.js', '/app/out/renderer/assets/index-abc.js'],
    ['app://concierge/assets/a%20b.css', '/app/out/renderer/assets/a b.css'],
    // The URL parser resolves dot segments first, so these stay inside the root.
    ['app://concierge/../../etc/hosts.txt', '/app/out/renderer/etc/hosts.txt'],
    ['app://concierge/%2e%2e/%2e%2e/etc/hosts.txt', '/app/out/renderer/etc/hosts.txt'],
    ['app://concierge/assets/%2e%2e%2f%2e%2e%2f..%2fsecrets.json', null],
    ['app://concierge/a%5c..%5c..%5csecrets.json', null],
    ['app://concierge/x%00.js', null],
    ['app://concierge/%E0%A4%A', null],
    ['app://other/index.html', null],
    ['https://concierge/index.html', null],
    ['file:///app/out/renderer/index.html', null],
  ])('%s → %s', (url, expected) => {
    expect(resolveAppAsset(root, url)).toBe(expected);
  });
});
