import { type WebSocket } from '@fastify/websocket';
import { type FastifyPluginAsync } from 'fastify';
import { type HubEvent, type StreamFrame } from '../../shared/api/index.js';
import { resolveToken, bearerToken } from '../auth/sessions.js';
import { type HubContext } from '../context.js';
import { eventsAfter, lastEventId } from '../events/append.js';
import { retainedHorizon } from '../events/horizon.js';
import { StreamAudience } from './stream-audience.js';
import { StreamVisibility } from './stream-visibility.js';

/** Close codes: 4401 = not authenticated (bad/expired/revoked token), 4400 = bad parameters. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_BAD_REQUEST = 4400;
/** The resume cursor is below the retained horizon or beyond the last event: resynchronise. */
export const CLOSE_CURSOR_TOO_OLD = 4410;

export interface StreamOptions {
  /** Ping interval; a client that misses a whole interval without a pong is dropped. */
  pingIntervalMs: number;
}

/** A client this far behind is cut off; it resumes from its last event id when it reconnects. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
export const CLOSE_TOO_SLOW = 1013;

/** The TCP socket under a `ws` WebSocket (`_socket`: not in its types, stable since ws 1). */
const corked = new WeakSet<WebSocket>();
function corkForTick(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  if (!raw || corked.has(socket)) return;
  corked.add(socket);
  raw.cork();
  process.nextTick(() => {
    corked.delete(socket);
    raw.uncork();
  });
}

function send(socket: WebSocket, frame: StreamFrame): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(CLOSE_TOO_SLOW, 'client too slow; reconnect with ?after=');
    return;
  }
  // The events of one commit reach a client in the same tick: one write for all their frames
  // instead of one each (a write is a system call and a wake-up of the reader).
  corkForTick(socket);
  socket.send(JSON.stringify(frame));
}

function fail(socket: WebSocket, code: number, errorCode: string, message: string): void {
  send(socket, { kind: 'error', code: errorCode, message });
  socket.close(code, message);
}

function firstValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/**
 * GET /api/v1/stream (WebSocket). Sends `ready` with the position the stream starts after, then
 * every visible event with a larger id, in id order: the backlog from the table first, then live
 * events from the hub's feed. Live events that arrive during the replay are buffered and
 * de-duplicated by id, so the client gets each event once and never out of order.
 */
export function streamRoutes(ctx: HubContext, opts: StreamOptions): FastifyPluginAsync {
  return async (app) => {
    const audience = new StreamAudience((err) => app.log.error({ err }, 'stream listener failed'));
    const unsubscribe = ctx.feed.subscribe((event) => audience.publish(event));
    app.addHook('onClose', async () => unsubscribe());
    app.get(
      '/stream',
      {
        websocket: true,
        config: { auth: 'stream' },
        schema: {
          tags: ['stream'],
          summary: 'Event stream (WebSocket): ?after=<lastEventId>, token by header or ?token=',
        },
      },
      async (socket, req) => {
        const query = (req.query ?? {}) as Record<string, unknown>;
        const token = bearerToken(req.headers.authorization) ?? firstValue(query.token);
        const principal = token ? await resolveToken(ctx.db.query, token) : undefined;
        if (principal?.kind !== 'agent') {
          fail(socket, CLOSE_UNAUTHORIZED, 'unauthorized', 'invalid or missing token');
          return;
        }
        const afterText = firstValue(query.after);
        if (afterText !== undefined && !/^\d{1,15}$/.test(afterText)) {
          fail(socket, CLOSE_BAD_REQUEST, 'bad_request', 'after must be a non-negative event id');
          return;
        }

        const agent = principal.agent;
        let cursor = 0;
        let replaying = true;
        const pending: HubEvent[] = [];
        let visibility: StreamVisibility | undefined;

        const deliver = (event: HubEvent): void => {
          if (event.id <= cursor) return;
          cursor = event.id;
          if (visibility?.sees(event)) send(socket, { kind: 'event', event });
          if (event.type === 'agent.logout' && event.agentId === agent.id) void checkSession();
        };
        // A revoked session ends the stream it opened.
        const checkSession = async (): Promise<void> => {
          const still = await resolveToken(ctx.db.query, token!);
          if (!still) fail(socket, CLOSE_UNAUTHORIZED, 'unauthorized', 'session ended');
        };

        // Join before reading the backlog: whatever commits meanwhile is buffered — every event,
        // since which tickets concern this stream is known only once they are read.
        const member = audience.join(agent.id, (event) => {
          if (replaying) pending.push(event);
          else deliver(event);
        });
        member.receiveEverything(true);

        let alive = true;
        socket.on('pong', () => {
          alive = true;
        });
        const ping = setInterval(() => {
          if (!alive) {
            socket.terminate();
            return;
          }
          alive = false;
          socket.ping();
        }, opts.pingIntervalMs);
        socket.on('close', () => {
          clearInterval(ping);
          member.leave();
        });
        // Clients only listen; anything they send is ignored (pings are protocol-level).
        socket.on('message', () => {});

        try {
          const mine = await ctx.db.query<{ id: string }>(
            `select id from tickets where assignee_id = $1
               and (status = 'open' or closed_at > now() - make_interval(days => $2))`,
            [agent.id, ctx.config.reopenWindowDays],
          );
          visibility = new StreamVisibility(agent, new Set(mine.map((r) => r.id)), member);
          const last = await lastEventId(ctx.db.query);
          cursor = afterText !== undefined ? Number(afterText) : last;
          // A cursor the log cannot continue from (pruned history, or ids from another database
          // after a restore) would silently miss events: tell the client to resynchronise.
          if (cursor > last || cursor < (await retainedHorizon(ctx.db.query))) {
            fail(
              socket,
              CLOSE_CURSOR_TOO_OLD,
              'cursor_too_old',
              `cannot resume after event ${cursor}; resynchronise and reconnect without after`,
            );
            return;
          }
          send(socket, { kind: 'ready', lastEventId: cursor });
          for (;;) {
            const batch = await eventsAfter(ctx.db.query, cursor, 500);
            for (const event of batch) deliver(event);
            if (batch.length < 500) break;
          }
          replaying = false;
          for (const event of pending.splice(0)) deliver(event);
          // From now on only the events this stream can see (its agent's, its tickets').
          member.receiveEverything(visibility.everything);
        } catch (err) {
          req.log.error({ err }, 'stream replay failed');
          socket.close(1011, 'internal error');
        }
      },
    );
  };
}
