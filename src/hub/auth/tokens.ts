import { createHash, randomBytes } from 'node:crypto';

/** An opaque bearer token: 256 random bits. Only its hash is stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy, so a fast hash is enough (no salt needed, lookups stay indexed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
