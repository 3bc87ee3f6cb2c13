import { safeStorage } from 'electron';
import { type Logger } from '../logger.js';
import { FileSecretStore, type SecretCodec } from '../session/file-secret-store.js';
import { MemorySecretStore, type SecretStore } from '../session/secret-store.js';

const safeStorageCodec: SecretCodec = {
  encode: (value) => safeStorage.encryptString(value).toString('base64'),
  decode: (stored) => {
    try {
      return safeStorage.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      return null; // written under another OS user or keyring: as if absent
    }
  },
};

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
  return new FileSecretStore(userDataDir, 'secrets.json', safeStorageCodec);
}
