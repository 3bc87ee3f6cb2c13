import WebSocket from 'ws';
import { ensureAgent } from '../src/hub/agents/create.js';
import { createIntegrationToken } from '../src/hub/auth/sessions.js';
import { createQueue } from '../src/hub/routing/queues.js';
import { type RunningHub, startHub } from '../src/hub/server.js';
import { closeHttpClient, httpRequest } from '../tests/support/http-client.js';
import { startPostgres } from '../tests/support/postgres.js';

export const INTEGRATION_TOKEN = 'bench-integration-token-0123456789';

export interface BenchAgent {
  id: string;
  token: string;
  /** The agent's stream, open (its first frame received). */
  stream: WebSocket;
}

/**
 * One hub in this process on a throwaway PostgreSQL, for the scripts that look inside a task
 * (routing-profile, routing-timeline): a chat queue `bench` (offers time out after 60 s), an
 * integration token, `agents` agents with the given chat capacity, each logged in, with its
 * stream open and available.
 */
export async function inProcessHub(
  agents: number,
  chatCapacity: number,
): Promise<{ hub: RunningHub; agents: BenchAgent[]; stop(): Promise<void> }> {
  const pgServer = await startPostgres();
  const hub = await startHub({
    databaseUrl: await pgServer.createDatabase('bench'),
    scryptCost: 1024,
  });
  const opened: BenchAgent[] = [];
  const stop = async () => {
    for (const a of opened) a.stream.close();
    closeHttpClient();
    await hub.close();
    await pgServer.stop();
  };
  try {
    await hub.ctx.tx(async (q) => {
      await createQueue(q, { name: 'bench', channels: ['chat'], offerTimeouts: { chat: 60 } });
      await createIntegrationToken(q, 'bench', INTEGRATION_TOKEN);
      for (let i = 0; i < agents; i++) {
        await ensureAgent(
          q,
          {
            login: `b${i}`,
            name: `B${i}`,
            password: 'pw-bench-123',
            roles: ['agent'],
            queues: ['bench'],
            capacity: { chat: chatCapacity },
          },
          1024,
        );
      }
    });
    for (let i = 0; i < agents; i++) {
      const login = await httpRequest(new URL('/api/v1/auth/login', hub.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: `b${i}`, password: 'pw-bench-123' }),
      });
      const { token, agent } = JSON.parse(login.text) as { token: string; agent: { id: string } };
      const stream = new WebSocket(new URL('/api/v1/stream', hub.url.replace(/^http/, 'ws')), {
        headers: { authorization: `Bearer ${token}` },
      });
      await new Promise<void>((r) => stream.once('message', () => r()));
      opened.push({ id: agent.id, token, stream });
      await httpRequest(new URL('/api/v1/me/state', hub.url), {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'available' }),
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { hub, agents: opened, stop };
}

/** Posts the bench's inbound chat message number `i` (a new customer each time). */
export function postInbound(hubUrl: string, i: number): Promise<unknown> {
  return httpRequest(new URL('/api/v1/inbound/messages', hubUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${INTEGRATION_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      channel: 'chat',
      from: { email: `p${i}@x.test` },
      text: 'hi',
      queue: 'bench',
    }),
  });
}
