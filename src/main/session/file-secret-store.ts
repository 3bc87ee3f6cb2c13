import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { type SecretStore } from './secret-store.js';

const SecretsFile = z.record(z.string(), z.string());

/** How values are stored in the file: as they are (browser mode) or encrypted (Electron). */
export interface SecretCodec {
  encode(value: string): string;
  /** null when the stored value cannot be read back (e.g. another OS user's keyring). */
  decode(stored: string): string | null;
}

const plain: SecretCodec = { encode: (value) => value, decode: (stored) => stored };

/**
 * Secrets in a JSON file readable only by the current user (mode 0600). In browser mode values
 * are stored as they are — weaker than Electron's safeStorage: anyone with the user's file access
 * can read the token (what a CLI tool keeps in ~/.config; the web host is a development and kiosk
 * mode). The Electron shell passes a safeStorage codec so the same file holds ciphertext.
 */
export class FileSecretStore implements SecretStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    fileName = 'secrets.json',
    private readonly codec: SecretCodec = plain,
  ) {
    this.file = join(dataDir, fileName);
  }

  async get(key: string): Promise<string | null> {
    const stored = (await this.read())[key];
    return stored === undefined ? null : this.codec.decode(stored);
  }

  set(key: string, value: string): Promise<void> {
    const stored = this.codec.encode(value);
    return this.update((all) => ({ ...all, [key]: stored }));
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
      const parsed = SecretsFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  // Writes are serialised and atomic (temp file + rename) so a crash never leaves half a file.
  private update(change: (all: Record<string, string>) => Record<string, string>): Promise<void> {
    const run = this.queue.then(async () => {
      const next = change(await this.read());
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(next), { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.file);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
