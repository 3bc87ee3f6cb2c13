import http from 'node:http';

/**
 * The tests' and benchmarks' HTTP client: node:http with keep-alive. It costs a fraction of
 * fetch's CPU per request, and the load-generating tests and benchmarks share the machine's two
 * cores with the hubs and the database they measure.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

export interface HttpResult {
  status: number;
  text: string;
  headers: Headers;
}

export function httpRequest(
  url: URL,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<HttpResult> {
  const headers: Record<string, string | number> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
        }
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          headers: out,
        });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Closes idle keep-alive sockets (a script that ends must not be held open by them). */
export function closeHttpClient(): void {
  agent.destroy();
}
