import { type FastifyServerOptions } from 'fastify';

/** Replaces the value of `token` query parameters (the stream's browser auth) in a URL. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

export interface LoggingOptions {
  level?: string;
  /** Where log lines go; the CLI uses stderr so stdout carries only the listening line. */
  stream?: NodeJS.WritableStream;
}

/** Fastify logger settings that never write a secret: no auth headers, no query tokens. */
export function loggerOptions(opts: LoggingOptions): FastifyServerOptions['logger'] {
  return {
    level: opts.level ?? 'info',
    ...(opts.stream ? { stream: opts.stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
