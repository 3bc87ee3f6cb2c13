import { z } from 'zod';
import { type LoginInput, type SessionState } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type AgentStatus } from '../../shared/domain/index.js';
import { type Cache } from '../cache/cache.js';
import { type EventBus } from '../event-bus.js';
import { type Logger } from '../logger.js';
import { type HubClient } from '../sync/hub-client.js';
import { HUB_TOKEN_KEY, type SecretStore } from './secret-store.js';
import {
  META_LAST_HUB_URL,
  META_SESSION,
  META_STREAM_CURSOR,
  normalizeHubUrl,
  StoredCursor,
  StoredSession,
} from './session-info.js';

export interface ActiveSession {
  hubUrl: string;
  token: string;
  client: HubClient;
  stored: StoredSession;
}

export interface SessionManagerDeps {
  cache(): Cache;
  secrets: SecretStore;
  events: EventBus;
  logger: Logger;
  createClient(hubUrl: string, token?: string | null): HubClient;
  /** A session begins (login or restore): start syncing it. */
  onStart(session: ActiveSession): void;
  /** A session ends: stop syncing it (must not wait for the sync's own event handling). */
  onEnd(session: ActiveSession, reason: string | null): void;
}

/** How long a restored token may take to be confirmed before calls answer anyway. */
export const RESTORE_WAIT_MS = 4_000;

export const SESSION_ENDED_BY_HUB = 'The hub ended the session. Please sign in again.';

/**
 * The agent's hub session: login (token into the SecretStore, never into the cache or a log),
 * restore at start, logout (revoke on the hub, best effort), and sign-out when the hub refuses
 * the token.
 */
export class SessionManager {
  private active: ActiveSession | null = null;
  private endReason: string | null = null;
  private restoring: Promise<void> | null = null;

  constructor(private readonly deps: SessionManagerDeps) {}

  get current(): ActiveSession | null {
    return this.active;
  }

  /** Why the last session ended, when the hub ended it. */
  get signedOutReason(): string | null {
    return this.endReason;
  }

  require(): ActiveSession {
    if (!this.active) throw new BridgeError('not_signed_in', 'sign in first');
    return this.active;
  }

  state(): SessionState {
    if (!this.active) {
      return {
        status: 'signed_out',
        lastHubUrl: this.deps.cache().meta.get(META_LAST_HUB_URL, z.string()) ?? null,
      };
    }
    const { stored } = this.active;
    return {
      status: 'signed_in',
      hubUrl: stored.hubUrl,
      agent: stored.agent,
      agentStatus: stored.agentStatus,
    };
  }

  updateStored(session: ActiveSession, change: Partial<StoredSession>): void {
    if (this.active !== session) return;
    session.stored = { ...session.stored, ...change };
    this.deps.cache().meta.set(META_SESSION, session.stored);
  }

  /** Starts restoring the saved session; calls can `await ready()` before answering. */
  beginRestore(): void {
    this.restoring = this.restore()
      .catch((error: unknown) => this.deps.logger.error('could not restore the session', { error }))
      .finally(() => {
        this.restoring = null;
      });
  }

  /** Waits (bounded) for the restore check, so the first answers reflect the real session. */
  async ready(): Promise<void> {
    if (!this.restoring) return;
    await Promise.race([
      this.restoring,
      new Promise((resolve) => setTimeout(resolve, RESTORE_WAIT_MS + 500).unref()),
    ]);
  }

  async settle(): Promise<void> {
    await this.restoring;
  }

  private async restore() {
    const cache = this.deps.cache();
    const stored = cache.meta.get(META_SESSION, StoredSession);
    if (!stored) return;
    const token = await this.deps.secrets.get(HUB_TOKEN_KEY);
    if (!token) {
      cache.meta.delete(META_SESSION);
      return;
    }
    const session: ActiveSession = {
      hubUrl: stored.hubUrl,
      token,
      client: this.deps.createClient(stored.hubUrl, token),
      stored,
    };
    this.active = session;
    this.deps.onStart(session);
    try {
      const me = await session.client.me({ timeoutMs: RESTORE_WAIT_MS });
      if (this.active !== session) return;
      this.updateStored(session, { agent: me.agent, agentStatus: me.status });
      this.deps.events.emit('session.changed', this.state());
    } catch (error) {
      // Refused token: signed out. Unreachable or a hub fault: keep the session and work from
      // the cache while the stream keeps retrying.
      await this.handleHubError(error).catch(() => undefined);
      if (this.active === session) {
        this.deps.logger.info('session restored without hub confirmation', {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  async login(input: LoginInput): Promise<SessionState> {
    await this.ready();
    const hubUrl = normalizeHubUrl(input.hubUrl);
    const anonymous = this.deps.createClient(hubUrl);
    let login;
    try {
      login = await anonymous.login({ login: input.login, password: input.password });
    } catch (error) {
      if (error instanceof BridgeError && error.code === 'unauthorized') {
        throw new BridgeError('unauthorized', 'Wrong login or password.', error.details);
      }
      throw error;
    }
    if (this.active) await this.end(null, { revoke: true });

    const cache = this.deps.cache();
    const client = anonymous.withToken(login.token);
    const previous = cache.meta.get(META_SESSION, StoredSession);
    const cursor = cache.meta.get(META_STREAM_CURSOR, StoredCursor);
    const sameOwner = (x: { hubUrl: string; agentId: string } | null) =>
      x !== null && x.hubUrl === hubUrl && x.agentId === login.agent.id;
    // Another agent or another hub: what is cached belongs to someone else.
    if (
      (previous && !sameOwner({ hubUrl: previous.hubUrl, agentId: previous.agent.id })) ||
      (cursor && !sameOwner(cursor))
    ) {
      cache.clearAgentData();
      cache.meta.delete(META_STREAM_CURSOR);
    }

    await this.deps.secrets.set(HUB_TOKEN_KEY, login.token);
    let agentStatus: AgentStatus | null = null;
    try {
      agentStatus = (await client.me()).status;
    } catch (error) {
      this.deps.logger.warn('could not read the agent status after login', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    const stored: StoredSession = { hubUrl, agent: login.agent, agentStatus };
    cache.meta.set(META_SESSION, stored);
    cache.meta.set(META_LAST_HUB_URL, hubUrl);
    const session: ActiveSession = { hubUrl, token: login.token, client, stored };
    this.active = session;
    this.endReason = null;
    this.deps.logger.info('signed in', { hubUrl, login: login.agent.login });
    this.deps.events.emit('session.changed', this.state());
    this.deps.onStart(session);
    return this.state();
  }

  async logout(): Promise<SessionState> {
    await this.ready();
    if (this.active) await this.end(null, { revoke: true });
    return this.state();
  }

  /** Ends the session locally; `reason` is shown when the hub ended it (token refused). */
  async end(reason: string | null, options: { revoke: boolean }): Promise<void> {
    const session = this.active;
    if (!session) return;
    this.active = null;
    this.endReason = reason;
    this.deps.onEnd(session, reason);
    if (options.revoke) {
      // Best effort: a hub that is down must not keep the agent signed in on this machine.
      await session.client.logout({ timeoutMs: 3_000 }).catch((error: unknown) => {
        this.deps.logger.warn('could not revoke the token on the hub', {
          reason: error instanceof Error ? error.message : String(error),
        });
      });
    }
    await this.deps.secrets.delete(HUB_TOKEN_KEY);
    this.deps.cache().meta.delete(META_SESSION);
    this.deps.logger.info('signed out', { reason });
    this.deps.events.emit('session.changed', this.state());
  }

  /** A 401 means the token is gone (expired, revoked): sign out. Every error is rethrown. */
  async handleHubError(error: unknown): Promise<never> {
    if (error instanceof BridgeError && error.code === 'unauthorized' && this.active) {
      await this.end(SESSION_ENDED_BY_HUB, { revoke: false });
    }
    throw error;
  }
}
