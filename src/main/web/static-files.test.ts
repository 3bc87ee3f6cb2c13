import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler, resolveStaticPath } from './static-files.js';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concierge-static-'));
  mkdirSync(join(dir, 'web/assets'), { recursive: true });
  writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>Concierge</title>');
  writeFileSync(join(dir, 'web/assets/app-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  const handle = createStaticHandler(join(dir, 'web'));
  server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static renderer (--static)', () => {
  it('serves index.html for / and client routes, with the CSP', async () => {
    for (const path of ['/', '/tickets/42']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<title>Concierge</title>');
    }
  });

  it('serves hashed assets as immutable JavaScript', async () => {
    const res = await fetch(`${base}/assets/app-1.js`);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('never serves files outside the root', async () => {
    for (const path of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(404);
    }
    expect(resolveStaticPath('/srv/web', '/../secret.txt')).toBeNull();
    expect(resolveStaticPath('/srv/web', '/missing.js')).toBe('/srv/web/missing.js');
  });

  it('answers only GET and HEAD', async () => {
    expect((await fetch(base, { method: 'POST' })).status).toBe(405);
  });
});
