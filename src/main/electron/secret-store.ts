import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';
import { type Logger } from '../logger.js';
import { MemorySecretStore, type SecretStore } from '../session/secret-store.js';

const Encrypted = z.record(z.string(), z.string());

/**
 * Secrets encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) in a file in
 * userData. Without an encryption backend the secrets stay in memory only: the agent signs in
 * again after a restart rather than having a token written in clear.
 */
export function createSafeSecretStore(userDataDir: string, logger: Logger): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) {
    logger.warn('safeStorage is unavailable: the session token is kept in memory only');
    return new MemorySecretStore();
  }
  if (process.platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text') {
      logger.warn('no keyring found: safeStorage uses its fixed-key fallback (basic_text)');
    }
  }
  return new SafeStorageSecretStore(join(userDataDir, 'secrets.json'));
}

class SafeStorageSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly file: string) {}

  async get(key: string): Promise<string | null> {
    const value = (await this.read())[key];
    if (value === undefined) return null;
    try {
      return safeStorage.decryptString(Buffer.from(value, 'base64'));
    } catch {
      return null; // written under another OS user or keyring: as if absent
    }
  }

  set(key: string, value: string): Promise<void> {
    const encrypted = safeStorage.encryptString(value).toString('base64');
    return this.update((all) => ({ ...all, [key]: encrypted }));
  }

  delete(key: string): Promise<void> {
    return this.update((all) => {
      const next = { ...all };
      delete next[key];
      return next;
    });
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const parsed = Encrypted.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  private update(change: (all: Record<string, string>) => Record<string, string>) {
    const run = this.queue.then(async () => {
      const temp = `${this.file}.tmp`;
      await writeFile(temp, JSON.stringify(change(await this.read())), { mode: 0o600 });
      await rename(temp, this.file);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
