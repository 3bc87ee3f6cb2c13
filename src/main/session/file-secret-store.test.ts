import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from './file-secret-store.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('FileSecretStore (browser mode)', () => {
  it('keeps secrets across instances in a file only the user can read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'concierge-secrets-'));
    const store = new FileSecretStore(join(dir, 'nested'));
    expect(await store.get('hub-token')).toBeNull();
    await Promise.all([store.set('hub-token', 'tok-1'), store.set('sip', 'pw')]);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    const again = new FileSecretStore(join(dir, 'nested'));
    expect(await again.get('hub-token')).toBe('tok-1');
    expect(await again.get('sip')).toBe('pw');
    await again.delete('hub-token');
    expect(await store.get('hub-token')).toBeNull();
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual({ sip: 'pw' });
  });

  it('reads a damaged file as empty instead of failing the start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'concierge-secrets-'));
    const store = new FileSecretStore(dir);
    await store.set('hub-token', 'x');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(store.file, '{oops');
    expect(await store.get('hub-token')).toBeNull();
  });

  it('stores only what the codec makes of a value, and treats an unreadable value as absent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'concierge-secrets-'));
    // A stand-in for safeStorage: reversible, and refuses values it did not write.
    const codec = {
      encode: (value: string) => `enc:${Buffer.from(value).toString('base64')}`,
      decode: (stored: string) =>
        stored.startsWith('enc:') ? Buffer.from(stored.slice(4), 'base64').toString() : null,
    };
    const store = new FileSecretStore(dir, 'secrets.json', codec);
    await store.set('hub-token', 'secret-token');
    expect(readFileSync(store.file, 'utf8')).not.toContain('secret-token');
    expect(await store.get('hub-token')).toBe('secret-token');
    await new FileSecretStore(dir).set('foreign', 'plain');
    expect(await store.get('foreign')).toBeNull();
  });
});
