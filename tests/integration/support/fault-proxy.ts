import { createServer, type IncomingMessage, type Server } from 'node:http';

export type ReplyFault = 'none' | 'before-hub' | 'after-hub';

/**
 * An HTTP proxy in front of the hub that can cut a reply at a chosen point: before the hub sees
 * it, or after the hub stored it and answered but before the answer reaches the client. At that
 * point it calls `onFault` (the test kills the client process) and drops the connection.
 * Stream upgrades are refused (503): the client under test then relies on its own retries.
 */
export async function startFaultProxy(target: string) {
  let plan: () => ReplyFault = () => 'none';
  let onFault: () => Promise<void> = async () => undefined;
  const forwarded = { replies: 0, faults: 0 };

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const server: Server = createServer((req, res) => {
    // The client may be killed mid-request: its socket resets.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    void (async () => {
      const body = await readBody(req).catch(() => null);
      if (!body) return;
      const isReply = req.method === 'POST' && /\/replies$/.test(req.url ?? '');
      const fault = isReply ? plan() : 'none';
      if (fault === 'before-hub') {
        forwarded.faults++;
        await onFault();
        res.destroy();
        return;
      }
      const headers = new Headers();
      for (const name of [
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'accept',
      ]) {
        const value = req.headers[name];
        if (typeof value === 'string') headers.set(name, value);
      }
      let upstream: Response;
      let text: string;
      try {
        upstream = await fetch(new URL(req.url ?? '/', target), {
          method: req.method,
          headers,
          body: body.length > 0 ? body : undefined,
        });
        text = await upstream.text();
      } catch {
        res.destroy();
        return;
      }
      if (isReply) forwarded.replies++;
      if (fault === 'after-hub') {
        forwarded.faults++;
        await onFault();
        res.destroy();
        return;
      }
      const out: Record<string, string> = {};
      for (const name of ['content-type', 'etag']) {
        const value = upstream.headers.get(name);
        if (value) out[name] = value;
      }
      res.writeHead(upstream.status, out);
      res.end(text);
    })();
  });
  // Killed clients reset their connections at any moment.
  server.on('connection', (socket) => socket.on('error', () => undefined));
  server.on('upgrade', (_req, socket) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    /** Decides, per reply request, where (if anywhere) to cut it. */
    setPlan(next: () => ReplyFault, fault: () => Promise<void>) {
      plan = next;
      onFault = fault;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
