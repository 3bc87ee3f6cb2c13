import { createHash, randomUUID } from 'node:crypto';
import { type ReplyResponse } from '../../shared/api/replies.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { backoffDelay, sleep } from '../util/backoff.js';
import { type HubClient, isUnreachable } from './hub-client.js';

export interface ReplyRetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const defaultReplyRetry: ReplyRetryOptions = { attempts: 4, baseMs: 300, maxMs: 3_000 };

/** How long a reply that may or may not have reached the hub keeps its key for a manual resend. */
const UNCERTAIN_KEY_TTL_MS = 30 * 60_000;

/**
 * Sends replies so that no retry ever creates a second message: every reply gets a
 * client-generated UUID sent as `Idempotency-Key`, network failures are retried with that same
 * key, and when all attempts fail the key is kept, so the agent pressing Send again with the same
 * text reuses it too (the hub answers `replayed: true` if the first attempt had in fact arrived).
 * Issue 4 replaces the in-memory key memory with a durable outbox.
 */
export class ReplySender {
  private readonly uncertain = new Map<string, { key: string; at: number }>();

  constructor(
    private readonly retry: ReplyRetryOptions = defaultReplyRetry,
    private readonly now: () => number = Date.now,
  ) {}

  async send(
    client: HubClient,
    ticketId: string,
    text: string,
  ): Promise<{ key: string; response: ReplyResponse }> {
    const fingerprint = createHash('sha256')
      .update(ticketId)
      .update('\0')
      .update(text)
      .digest('hex');
    this.forgetExpired();
    const key = this.uncertain.get(fingerprint)?.key ?? randomUUID();
    let lastError: unknown = null;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt - 1, this.retry));
      try {
        const response = await client.reply(ticketId, key, { text });
        this.uncertain.delete(fingerprint);
        return { key, response };
      } catch (error) {
        if (!isUnreachable(error)) {
          this.uncertain.delete(fingerprint);
          throw error;
        }
        lastError = error;
      }
    }
    this.uncertain.set(fingerprint, { key, at: this.now() });
    const reason = lastError instanceof Error ? lastError.message : 'the hub is unreachable';
    throw new BridgeError(
      'hub_unreachable',
      `The reply could not be delivered: ${reason}. Sending it again is safe.`,
      { idempotencyKey: key },
    );
  }

  private forgetExpired() {
    const limit = this.now() - UNCERTAIN_KEY_TTL_MS;
    for (const [fingerprint, entry] of this.uncertain) {
      if (entry.at < limit) this.uncertain.delete(fingerprint);
    }
  }
}
