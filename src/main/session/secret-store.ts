/**
 * Where secrets (the hub token, later SIP credentials) are kept. The Electron shell implements it
 * with safeStorage, the web host with a 0600 file. Implementations never log values.
 */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keeps secrets for the life of the process only (used when no safe storage exists, and in tests). */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

export const HUB_TOKEN_KEY = 'hub-token';
